package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JVM backend's prepared forms give the stored matrices' products bit for bit (same per-column sums): the
 * encoder's column blocks (every type, GEMM and matrix-vector routes, biases; every cut matrix released once, one
 * too narrow to cut kept), the decoder's side-by-side Q8_0 copy for one-row calls, and subsets of either.
 */
class JvmLinearTest {

    private static final int IN = 40;

    @ParameterizedTest(name = "{0}, {1} rows, {2}")
    @CsvSource({"F32, 20, ENCODER", "BF16, 20, ENCODER", "F16, 13, ENCODER", "Q8_0, 20, ENCODER", "BF16, 3, ENCODER",
            "Q8_0, 1, DECODER", "Q8_0, 9, DECODER", "BF16, 1, DECODER"})
    void preparedFormsGiveTheStoredProductsBitForBit(WeightType type, int rows, Linear.Use use) {
        int[] widths = use == Linear.Use.ENCODER ? new int[] {300, 128, 257} : new int[] {64, 32, 96};
        Weight[] ws = new Weight[widths.length];
        float[][] biases = new float[widths.length][];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = TestData.weight(11 + i, IN, widths[i], type);
            biases[i] = i == 1 ? null : TestData.uniform(21 + i, widths[i], -0.5f, 0.5f);
        }
        float[] x = TestData.uniform(5, rows * IN, -1f, 1f);
        List<MemorySegment> released = new ArrayList<>();
        try (JvmOps ops = new JvmOps(2)) {
            Linear prepared = ops.prepare(use, ws, biases, released::add);
            Linear stored = Linear.stored(ws, biases);
            float[][] a = outputs(rows, widths), b = outputs(rows, widths);
            ops.linear(x, rows, prepared, rows(a, widths));
            ops.linear(x, rows, stored, rows(b, widths));
            for (int i = 0; i < ws.length; i++) {
                assertThat(a[i]).as("product %d", i).containsExactly(b[i]);
            }
            assertThat(a[0]).as("written").isNotEqualTo(new float[a[0].length]);
            if (use == Linear.Use.ENCODER) {
                assertThat(released).containsExactly(ws[0].data(), ws[2].data());
            } else {
                assertThat(released).as("the decoder keeps its stored weights").isEmpty();
            }
            float[][] c = outputs(rows, widths), d = outputs(rows, widths);
            ops.linear(x, rows, prepared.parts(1, 3), rows(c, widths)[1], rows(c, widths)[2]);
            ops.linear(x, rows, stored.parts(1, 3), rows(d, widths)[1], rows(d, widths)[2]);
            assertThat(c[2]).as("a subset").containsExactly(d[2]).containsExactly(b[2]);
        }
    }

    private static float[][] outputs(int rows, int[] widths) {
        float[][] out = new float[widths.length][];
        for (int i = 0; i < widths.length; i++) out[i] = new float[rows * widths[i]];
        return out;
    }

    private static Rows[] rows(float[][] ys, int[] widths) {
        Rows[] out = new Rows[ys.length];
        for (int i = 0; i < ys.length; i++) out[i] = Rows.of(ys[i], widths[i]);
        return out;
    }
}
