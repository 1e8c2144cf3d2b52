package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every JvmOps op gives bit-identical results for 1, 2 and 3 threads (reproducible runs on any machine). */
class ThreadCountInvarianceTest {

    interface Op {
        float[] apply(Ops ops);
    }

    static float[] rnd(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static void check(String name, Op op) {
        float[] ref;
        try (JvmOps one = new JvmOps(1)) {
            ref = op.apply(one);
        }
        for (int t : new int[] {2, 3}) {
            try (JvmOps ops = new JvmOps(t)) {
                assertThat(op.apply(ops)).as("%s with %d threads", name, t).containsExactly(ref);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 7, 13, 266, 1043})
    void everyOp(int rows) {
        int in = 48, out = 64, heads = 4, hd = 16;
        float[] x = rnd(rows * in, 1);
        for (int[] shape : new int[][] {{48, 64}, {64, 48}, {4096, 64}, {300, 2100}}) {
            int i = shape[0], o = shape[1];
            Weight w = Weight.of(rnd(i * o, 2), i, o);
            float[] xi = rnd(Math.min(rows, 13) * i, 3);
            int rr = Math.min(rows, 13);
            check("matmul " + rr + "x" + i + "x" + o, ops -> {
                float[] y = new float[rr * o];
                ops.matmul(xi, rr, w, rnd(o, 4), 0, y, 0, o);
                return y;
            });
            check("matmulTransposed " + i + "x" + o, ops -> {
                float[] y = new float[rr * i];
                float[] xo = rnd(rr * o, 5);
                ops.matmulTransposed(xo, 0, o, rr, w, y, 0, i);
                return y;
            });
        }
        check("layerNorm", ops -> {
            float[] y = new float[rows * in];
            ops.layerNorm(x, rows, in, rnd(in, 6), rnd(in, 7), 1e-6f, y);
            return y;
        });
        check("rmsNorm", ops -> {
            float[] y = new float[rows * in];
            ops.rmsNorm(x, 0, rows, in, rnd(in, 6), 1e-6f, y, 0);
            return y;
        });
        check("gelu", ops -> {
            float[] y = x.clone();
            ops.gelu(y, y.length);
            return y;
        });
        check("geluGate", ops -> {
            float[] g = x.clone();
            ops.geluGate(g, rnd(g.length, 8), g.length);
            return g;
        });
        check("rope", ops -> {
            float[] q = rnd(rows * heads * hd, 9);
            int[] pos = new int[rows];
            for (int r = 0; r < rows; r++) pos[r] = r * 3;
            ops.rope(q, rows, heads * hd, heads, hd, pos, 10000f);
            return q;
        });
        check("attention", ops -> {
            float[] q = rnd(rows * heads * hd, 10), k = rnd(rows * 2 * hd, 11), v = rnd(rows * 2 * hd, 12);
            int[] visible = new int[rows];
            Arrays.fill(visible, rows);
            float[] o = new float[rows * heads * hd];
            ops.attention(new AttentionShape(heads, 2, hd, 4f), new Rows(q, 0, heads * hd), rows, new Rows(k, 0, 2 * hd), new Rows(v, 0, 2 * hd), visible, new Rows(o, 0, heads * hd));
            return o;
        });
    }
}
