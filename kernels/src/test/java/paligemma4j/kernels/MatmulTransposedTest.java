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
 * different orders differ by at most {@code 2·n·u·Σ|x_i e_i|}, u = 2^-24.
 */
class MatmulTransposedTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
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
        FAST.matmulTransposed(x, xOff, xStride, rows, e, actual, yOff, yStride);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < vocab; o++) {
                double absSum = 0;
                for (int i = 0; i < width; i++) {
                    absSum += Math.abs((double) x[xOff + r * xStride + i] * wide[o * width + i]);
                }
                int at = r * yStride + yOff + o;
                Close.check(actual[at], expected[at], 2 * width * TestData.U * absSum + 1e-30, "logit[%d, %d]", r, o);
            }
            if (r + 1 < rows) {
                assertThat(actual[r * yStride + yOff + vocab]).as("gap after row %d", r).isNaN();
            }
        }
    }
}
