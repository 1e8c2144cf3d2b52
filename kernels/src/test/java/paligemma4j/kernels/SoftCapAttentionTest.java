package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gemma 2's attention-logit soft-cap {@code c·tanh(l/c)} before the softmax, on every JVM route (one row and head at a
 * time, four heads of a row, four rows, GEMM tiles; selected by the row and group counts) and in {@link NaiveOps},
 * against a float64 reference. Logits of q, k in [−2, 2] over up to 256 dims reach ±100, so a cap of 5 bites hard:
 * without it the result moves by far more than the tolerance.
 */
class SoftCapAttentionTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    @ParameterizedTest(name = "rows {0}, heads {1}/{2} kv, headDim {3}, keys {4}, cap {5}")
    @CsvSource({
            "1, 2, 1, 64, 40, 5",        // one (row, head) at a time
            "1, 8, 2, 64, 40, 5",        // four heads of one row sharing a KV head
            "4, 4, 2, 32, 30, 5",        // four rows of one head
            "20, 8, 4, 256, 20, 50",     // GEMM tiles, Gemma 2's cap
            "7, 3, 1, 17, 9, 0.5",
    })
    void matchesFloat64Reference(int rows, int heads, int kvHeads, int headDim, int keys, float cap) {
        long seed = rows * 7919L + heads * 31L + headDim + keys;
        int qStride = heads * headDim, kvStride = kvHeads * headDim;
        float[] q = TestData.uniform(seed, rows * qStride, -2f, 2f);
        float[] k = TestData.uniform(seed + 1, keys * kvStride, -2f, 2f);
        float[] v = TestData.uniform(seed + 2, keys * kvStride, -1f, 1f);
        int[] visible = new int[rows];
        for (int r = 0; r < rows; r++) visible[r] = keys - rows + r + 1;      // causal over the last rows
        AttentionShape shape = new AttentionShape(heads, kvHeads, headDim, 1f, cap);
        float[] naive = new float[rows * qStride], fast = new float[rows * qStride];
        NAIVE.attention(shape, new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(naive, 0, qStride));
        FAST.attention(shape, new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(fast, 0, qStride));
        double[] capped = reference(q, k, v, rows, heads, kvHeads, headDim, visible, cap);
        double[] uncapped = reference(q, k, v, rows, heads, kvHeads, headDim, visible, 0);
        // float32 logits of |l| ≲ 100 are within ~1e-5 (a few hundred ulp of their terms); tanh' ≤ 1 keeps that, and
        // probabilities times |v| ≤ 1 stay within it
        double tol = 2e-5;
        double moved = 0;
        for (int i = 0; i < capped.length; i++) {
            assertThat((double) naive[i]).as("naive out[%d]", i).isCloseTo(capped[i], org.assertj.core.data.Offset.offset(tol));
            assertThat((double) fast[i]).as("fast out[%d]", i).isCloseTo(capped[i], org.assertj.core.data.Offset.offset(tol));
            moved = Math.max(moved, Math.abs(capped[i] - uncapped[i]));
        }
        assertThat(moved).as("the cap changes the result").isGreaterThan(10 * tol);
    }

    @Test
    void capOfZeroIsNoCap() {
        float[] a = {-300f, -1f, 0f, 2.5f, 1e6f};
        float[] b = a.clone();
        AttentionShape.softCap(b, 0, b.length, 0f);
        assertThat(b).containsExactly(a);
        AttentionShape.softCap(b, 0, b.length, 50f);
        assertThat(b).containsExactly((float) Math.tanh(-300f * (1f / 50f)) * 50f, (float) Math.tanh(-1f * (1f / 50f)) * 50f,
                0f, (float) Math.tanh(2.5f * (1f / 50f)) * 50f, 50f);
    }

    @Test
    void negativeCapIsRefused() {
        assertThatThrownBy(() -> new AttentionShape(2, 1, 4, 1f, -1f)).hasMessageContaining("soft-cap must be finite and ≥ 0");
    }

    /** Float64 attention with the soft-cap: logits, c·tanh(l/c), softmax, times V. */
    private static double[] reference(float[] q, float[] k, float[] v, int rows, int heads, int kvHeads, int headDim,
                                      int[] visible, double cap) {
        int qStride = heads * headDim, kvStride = kvHeads * headDim, group = heads / kvHeads;
        double[] out = new double[rows * qStride];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int kvOff = (h / group) * headDim, n = visible[r];
                double[] l = new double[n];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < n; j++) {
                    for (int d = 0; d < headDim; d++) l[j] += (double) q[r * qStride + h * headDim + d] * k[j * kvStride + kvOff + d];
                    if (cap > 0) l[j] = cap * Math.tanh(l[j] / cap);
                    max = Math.max(max, l[j]);
                }
                for (int j = 0; j < n; j++) sum += (l[j] = Math.exp(l[j] - max));
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) acc += l[j] / sum * v[j * kvStride + kvOff + d];
                    out[r * qStride + h * headDim + d] = acc;
                }
            }
        }
        return out;
    }
}
