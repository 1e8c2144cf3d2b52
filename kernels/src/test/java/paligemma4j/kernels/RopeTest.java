package paligemma4j.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link JvmOps#rope} against {@link NaiveOps}: the fast path takes its angles from a table built
 * with the reference formula (timescale in double rounded to float, θ = pos/τ in float32,
 * cos/sin rounded to float) and rotates without FMA, so the results are bit-identical. Gemma's
 * 8 query heads and 1 KV head of 256 at positions up to 4000, and head sizes whose half is not
 * a multiple of the vector width.
 */
class RopeTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    @ParameterizedTest(name = "rows {0}, heads {1}, headDim {2}, first position {3}")
    @CsvSource({"266, 8, 256, 0", "1, 1, 256, 4000", "3, 8, 256, 3998", "5, 3, 34, 17", "2, 2, 2, 9", "70, 16, 72, 100"})
    void bitIdenticalToNaive(int rows, int heads, int headDim, int firstPos) {
        int rowStride = heads * headDim + 7;
        float[] x = TestData.uniform(rows * 31L + headDim, rows * rowStride, -3f, 3f);
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) {
            positions[r] = firstPos + (r * 7) % (rows + 1);
        }
        float[] expected = x.clone(), actual = x.clone();
        NAIVE.rope(expected, rows, rowStride, heads, headDim, positions, 10_000f);
        FAST.rope(actual, rows, rowStride, heads, headDim, positions, 10_000f);
        Close.identical(actual, expected, "rope");
    }
}
