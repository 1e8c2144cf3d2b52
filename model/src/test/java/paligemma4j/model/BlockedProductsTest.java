package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * SigLIP's products over column blocks ({@link BlockedProducts#columnBlocks}) equal those of the whole weights
 * bit for bit (same per-column sums), for every stored type, with biases, on the GEMM and the matrix-vector
 * routes; every weight that was cut is released once, one too narrow to cut is kept as it is.
 */
class BlockedProductsTest {

    @ParameterizedTest(name = "{0}, {1} rows, {2}")
    @CsvSource({"F32, 20, jvm", "BF16, 20, jvm", "F16, 13, jvm", "Q8_0, 20, jvm", "BF16, 3, jvm", "BF16, 7, naive"})
    void blocksGiveTheWholeProductsBitForBit(WeightType type, int rows, String backend) {
        int in = 40;
        int[] widths = {300, 128, 257};
        Weight[] ws = new Weight[widths.length];
        float[][] biases = new float[widths.length][];
        for (int i = 0; i < ws.length; i++) {
            Weight f32 = Weight.of(FusedProjectionsTest.uniform(11 + i, in * widths[i], 1f), in, widths[i]);
            ws[i] = WeightConversions.to(type).convert(f32);
            biases[i] = i == 1 ? null : FusedProjectionsTest.uniform(21 + i, widths[i], 0.5f);
        }
        float[] x = FusedProjectionsTest.uniform(5, rows * in, 1f);
        List<MemorySegment> released = new ArrayList<>();
        BlockedProducts blocks = BlockedProducts.columnBlocks(ws, biases, 128, released::add);
        List<MemorySegment> none = new ArrayList<>();
        BlockedProducts whole = BlockedProducts.columnBlocks(ws, biases, Integer.MAX_VALUE, none::add);
        assertThat(released).containsExactly(ws[0].data(), ws[2].data());
        assertThat(none).as("nothing cut, nothing released").isEmpty();
        try (JvmOps jvm = new JvmOps(2)) {
            Ops ops = backend.equals("jvm") ? jvm : new NaiveOps();
            float[][] a = new float[ws.length][], b = new float[ws.length][];
            for (int i = 0; i < ws.length; i++) {
                a[i] = new float[rows * widths[i]];
                b[i] = new float[rows * widths[i]];
            }
            blocks.apply(ops, x, rows, a);
            whole.apply(ops, x, rows, b);
            for (int i = 0; i < ws.length; i++) {
                assertThat(a[i]).as("product %d", i).containsExactly(b[i]);
            }
            assertThat(a[0]).as("biases added").contains(b[0][0]).isNotEqualTo(new float[a[0].length]);
        }
    }
}
