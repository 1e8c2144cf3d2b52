package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bf16 row dot's two forms, one W row at a time and eight at a time, give every row bit for bit the
 * same sum, so {@link DotKernels#BF16_ONE_ROW_MAX_WIDTH} changes speed only: full vectors, a pair tail and
 * an odd last element, row counts that leave four- and one-row remainders.
 */
class DotKernelsTest {

    @ParameterizedTest(name = "{0} rows of {1}")
    @CsvSource({"64, 2048", "29, 2048", "13, 2304", "15, 4099", "9, 16384", "3, 35"})
    void oneRowAndEightRowsAgreeBitForBit(int rows, int width) {
        long seed = 7L * rows + width;
        float[] x = TestData.uniform(seed, width, -2f, 2f);
        Weight w = TestData.weight(seed + 1, rows, width, WeightType.BF16);
        float[] xs = new float[width];
        DotKernels.deinterleave(x, 0, width, xs, 0);
        int half = width / 2;
        float[] one = new float[rows], eight = new float[rows];
        DotKernels.bf16OneRow(xs, 0, half, x, 0, width, w.data(), 0, rows, one, 0);
        DotKernels.bf16EightRows(xs, 0, half, x, 0, width, w.data(), 0, rows, eight, 0, new float[8 * Simd.L]);
        for (int o = 0; o < rows; o++) {
            assertThat(Float.floatToRawIntBits(one[o])).as("row %d: %s vs %s", o, one[o], eight[o])
                    .isEqualTo(Float.floatToRawIntBits(eight[o]));
        }
        assertThat(one).as("sums are not all zero").isNotEqualTo(new float[rows]);
    }
}
