package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JvmOps#matmulTransposed} (the tied unembedding {@code h · Eᵀ}) against {@link NaiveOps}:
 * Gemma's width 2048 with a slice of the vocabulary, SigLIP's 1152, and widths/row counts that
 * are odd, below one vector, or leave a pair or a vector tail; every weight type; x read at an
 * offset and stride, y written at an offset and stride.
 *
 * <p>Tolerance as in {@link MatmulTest}: two float32 sums of the same n = width products in
 * different orders differ by at most {@code 2·n·u·Σ|x_i e_i|}, u = 2^-24. Q8_0 runs a second time with int8
 * activations ({@link Q8Activations}): each x_i moves by at most half its block's step {@code max|x_b|/127},
 * which adds {@code Σ|e_i|·step_b(i)/2}.
 */
class MatmulTransposedTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);
    /** JvmOps with int8 activations for Q8_0 ({@code -Dpaligemma4j.q8Activations=int8} when it was made). */
    private static final JvmOps FAST_INT8 = withInt8Activations();

    private static JvmOps withInt8Activations() {
        System.setProperty(JvmProducts.Q8_ACTIVATIONS, "int8");
        try {
            return new JvmOps(2);
        } finally {
            System.clearProperty(JvmProducts.Q8_ACTIVATIONS);
        }
    }

    @AfterAll
    static void close() {
        FAST.close();
        FAST_INT8.close();
    }

    static List<Arguments> shapes() {
        int[][] sizes = {
                // rows, vocab, width
                {1, 3001, 2048}, {2, 517, 2048}, {3, 259, 1152},
                {1, 1, 1}, {1, 5, 3}, {2, 7, 17}, {1, 67, 31}, {3, 33, 33}, {1, 65, 257}, {2, 4, 2}, {1, 9, 48},
        };
        List<Arguments> args = new ArrayList<>();
        for (int[] s : sizes) {
            for (WeightType t : WeightType.values()) {
                args.add(Arguments.of(s[0], s[1], s[2], t));
            }
        }
        return args;
    }

    @ParameterizedTest(name = "[{0}, {2}] x [{1}, {2}]^T {3}")
    @MethodSource("shapes")
    void matchesNaive(int rows, int vocab, int width, WeightType type) {
        check(rows, vocab, width, type, FAST, false);
        if (type == WeightType.Q8_0) check(rows, vocab, width, type, FAST_INT8, true);
    }

    private static void check(int rows, int vocab, int width, WeightType type, JvmOps fast, boolean int8Activations) {
        long seed = 131L * rows + 17L * vocab + width + type.ordinal();
        int xOff = 3, xStride = width + 5;
        float[] x = TestData.uniform(seed, rows * xStride + xOff, -2f, 2f);
        Weight e = TestData.weight(seed + 1, vocab, width, type);
        float[] wide = TestData.widen(e);
        int yOff = 2, yStride = vocab + 4;
        float[] expected = new float[rows * yStride + yOff];
        NAIVE.matmulTransposed(x, xOff, xStride, rows, e, expected, yOff, yStride);
        float[] actual = new float[expected.length];
        java.util.Arrays.fill(actual, Float.NaN);
        fast.matmulTransposed(x, xOff, xStride, rows, e, actual, yOff, yStride);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < vocab; o++) {
                double absSum = 0, int8 = 0;
                for (int i = 0; i < width; i++) {
                    absSum += Math.abs((double) x[xOff + r * xStride + i] * wide[o * width + i]);
                    if (int8Activations) int8 += Math.abs(wide[o * width + i]) * blockMax(x, xOff + r * xStride, width, i) / 254;
                }
                int at = r * yStride + yOff + o;
                Close.check(actual[at], expected[at], 2 * width * TestData.U * absSum + int8 * 1.0001 + 1e-30,
                        "logit[%d, %d]%s", r, o, int8Activations ? " (int8 activations)" : "");
            }
            if (r + 1 < rows) {
                assertThat(actual[r * yStride + yOff + vocab]).as("gap after row %d", r).isNaN();
            }
        }
    }

    /** max |x| over the Q8_0 block of the row at {@code at} that holds element i. */
    private static double blockMax(float[] x, int at, int width, int i) {
        int c0 = i / Q8.BLOCK * Q8.BLOCK;
        double max = 0;
        for (int c = c0; c < Math.min(width, c0 + Q8.BLOCK); c++) max = Math.max(max, Math.abs(x[at + c]));
        return max;
    }
}
