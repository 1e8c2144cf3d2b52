package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JvmOps#matmul} (matrix-vector for one row, packed GEMM for more) against {@link NaiveOps}
 * on real PaliGemma shapes (fewer rows where the naive loop would be slow) and on sizes that break
 * the vector width, the 6-row tile, the 2-vector panel and the 256-deep block; every weight type.
 *
 * <p>Tolerance: both backends accumulate the same n = in products in float32, in different
 * orders (and the fast one with FMA). Each computed sum obeys
 * {@code |fl(Σ) − Σ| ≤ γ_n · Σ|x_i w_i|} with {@code γ_n ≈ n·u}, u = 2^-24; the weights are the
 * same widened values in both, so {@code |fast − naive| ≤ 2·n·u·Σ|x_i w_i|} (+ u·|bias| for the
 * bias add). A wrong index or widening error is of the size of one term, far above this bound.
 */
class MatmulTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);
    private static final JvmOps FAST3 = new JvmOps(3);

    @AfterAll
    static void close() {
        FAST.close();
        FAST3.close();
    }

    static List<Arguments> shapes() {
        List<Arguments> args = new ArrayList<>();
        int[][] everyType = {
                // rows, in, out: decode (matrix-vector) at real sizes, then odd sizes for both paths
                {1, 2048, 16384},   // Gemma gate/up
                {1, 16384, 2048},   // Gemma down
                {1, 1152, 4304},    // SigLIP MLP, one row
                {1, 4304, 1152},    // SigLIP MLP down, one row (tall: split by W rows)
                {1, 1029, 33}, {1, 1600, 31}, {1, 2000, 3},   // tall with odd widths and bands
                {1, 1, 1}, {1, 3, 17}, {1, 17, 3}, {1, 33, 31}, {1, 257, 33}, {1, 31, 257},
                {2, 1, 1}, {3, 17, 33}, {4, 40, 70}, {4, 2048, 64}, {5, 31, 257}, {6, 257, 31}, {17, 33, 17}, {31, 300, 65}, {8, 513, 47},
                {12, 40, 64}, {25, 257, 300}, {30, 64, 96},   // 16-lane tiles: 12 rows, 24 + 1, 24 + 6
        };
        for (int[] s : everyType) {
            for (WeightType t : WeightType.values()) {
                args.add(Arguments.of(s[0], s[1], s[2], t));
            }
        }
        // packed GEMM at real sizes, one weight type each (the naive reference is slow here)
        args.add(Arguments.of(7, 1152, 4304, WeightType.F32));    // SigLIP MLP up: one 6-row tile + 1
        args.add(Arguments.of(8, 4304, 1152, WeightType.BF16));   // SigLIP MLP down: 17 depth blocks
        args.add(Arguments.of(9, 2048, 2048, WeightType.F16));    // Gemma q/o
        args.add(Arguments.of(6, 2048, 512, WeightType.BF16));    // Gemma kv
        args.add(Arguments.of(2, 1152, 2048, WeightType.F32));    // projector
        args.add(Arguments.of(7, 1152, 4304, WeightType.Q8_0));   // Q8_0 GEMM: 4304 = 134.5 blocks
        // wide W: 512-column tasks (out ≥ 2 · 512 · 4 per thread), a partial last block
        args.add(Arguments.of(7, 64, 12352, WeightType.BF16));
        args.add(Arguments.of(6, 96, 12320, WeightType.Q8_0));
        args.add(Arguments.of(6, 40, 12312, WeightType.F16));
        return args;
    }

    @ParameterizedTest(name = "[{0}, {1}] x [{1}, {2}] {3}")
    @MethodSource("shapes")
    void matchesNaive(int rows, int in, int out, WeightType type) {
        long seed = 31L * rows + 7L * in + out + type.ordinal();
        float[] x = TestData.uniform(seed, rows * in, -1f, 1f);
        Weight w = TestData.weight(seed + 1, in, out, type);
        boolean withBias = (in + out) % 2 == 1 || rows == 1;
        int biasOff = 3;
        float[] bias = withBias ? TestData.uniform(seed + 2, out + biasOff, -1f, 1f) : null;
        int yOff = 5, yStride = out + 9;   // y lives inside a wider buffer
        float[] expected = new float[rows * yStride + yOff];
        NAIVE.matmul(x, rows, w, bias, biasOff, expected, yOff, yStride);
        float[] wide = TestData.widen(w);
        double[][] absSum = new double[rows][out];   // Σ_i |x_i w_io| per output
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < in; i++) {
                double xi = Math.abs(x[r * in + i]);
                for (int o = 0; o < out; o++) {
                    absSum[r][o] += xi * Math.abs(wide[i * out + o]);
                }
            }
        }

        for (JvmOps ops : List.of(FAST, FAST3)) {
            float[] actual = new float[expected.length];
            java.util.Arrays.fill(actual, Float.NaN);   // untouched cells must stay untouched
            ops.matmul(x, rows, w, bias, biasOff, actual, yOff, yStride);
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double tol = 2 * in * TestData.U * absSum[r][o] + (bias == null ? 0 : TestData.U * Math.abs(bias[biasOff + o])) + 1e-30;
                    int at = r * yStride + yOff + o;
                    Close.check(actual[at], expected[at], tol, "y[%d, %d] with %d threads", r, o, ops.threads());
                }
                if (r + 1 < rows) {
                    assertThat(actual[r * yStride + yOff + out]).as("gap after row %d", r).isNaN();
                }
            }
            assertThat(actual[yOff - 1]).as("cell before y").isNaN();
        }
    }
}
