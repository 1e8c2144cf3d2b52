package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Q8_0 format ({@link Q8}): its documented error bound and layout. (The Q8_0 kernels are
 * checked against {@link NaiveOps} by {@link MatmulTest} and {@link MatmulTransposedTest}, which
 * run every {@link WeightType}.)
 */
class Q8Test {

    /** float16 spacing at 1: the relative rounding-up of a scale is at most this. */
    private static final double F16_EPS = 0x1p-10;

    @Test
    void everyElementIsWithinHalfAScaleAndTheScaleIsMaxOver127() {
        // magnitudes from 1e-4 to 1e3 per row, a row width that leaves a 13-element last block
        int rows = 8, cols = 77;
        float[] v = new float[rows * cols];
        float[] u = TestData.uniform(5, v.length, -1f, 1f);
        for (int r = 0; r < rows; r++) {
            float mag = (float) Math.pow(10, r - 4);
            for (int c = 0; c < cols; c++) v[r * cols + c] = u[r * cols + c] * mag;
        }
        Weight q = Q8.quantize(Weight.of(v, rows, cols), Arena.ofAuto());
        assertThat(q.type()).isEqualTo(WeightType.Q8_0);
        assertThat(q.data().byteSize()).isEqualTo(rows * (2L * 3 + cols));   // 3 scales + 77 int8 per row
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < Q8.blocks(cols); b++) {
                int c0 = b * Q8.BLOCK, c1 = Math.min(cols, c0 + Q8.BLOCK);
                double max = 0;
                for (int c = c0; c < c1; c++) max = Math.max(max, Math.abs(v[r * cols + c]));
                double d = Float.float16ToFloat(q.data().get(Weight.I16, r * Q8.rowBytes(cols) + 2L * b));
                assertThat(d).as("scale row %d block %d", r, b).isGreaterThanOrEqualTo(max / 127);
                if (max / 127 >= 0x1p-14) {   // a normal float16 scale
                    assertThat(d).as("scale row %d block %d", r, b).isLessThanOrEqualTo(max / 127 * (1 + F16_EPS));
                }
                for (int c = c0; c < c1; c++) {
                    double err = Math.abs(q.get(r, c) - (double) v[r * cols + c]);
                    assertThat(err).as("w[%d, %d]", r, c).isLessThanOrEqualTo(d / 2 * (1 + 0x1p-20));
                }
            }
        }
    }

    @Test
    void exactMultiplesOfAPowerOfTwoScaleRoundTripAndZeroBlocksStayZero() {
        float[] v = new float[64];
        for (int i = 0; i < 32; i++) v[i] = (i - 16) * 0.25f;          // max 4 → d = 4/127 (not exact)
        v[5] = 127 * 0.5f;                                              // block 0 max 63.5 → d = 0.5
        Weight q = Q8.quantize(Weight.of(v, 1, 64), Arena.ofAuto());
        assertThat(q.get(0, 5)).isEqualTo(63.5f);
        assertThat(q.get(0, 0)).isEqualTo(-4f);                          // -16 · 0.25 = -8 · 0.5
        assertThat(q.get(0, 1)).isEqualTo(-4f);                          // -3.75 → rint(-7.5) = -8 (even)
        for (int c = 32; c < 64; c++) assertThat(q.get(0, c)).isZero(); // all-zero block: d = 0
        assertThat(q.data().get(Weight.I16, 2)).isZero();
    }

    @Test
    void rowSlicesKeepTheLayout() {
        Weight q = TestData.weight(9, 5, 40, WeightType.Q8_0);
        Weight s = q.rowSlice(2, 2);
        for (int c = 0; c < 40; c++) {
            assertThat(s.get(0, c)).isEqualTo(q.get(2, c));
            assertThat(s.get(1, c)).isEqualTo(q.get(3, c));
        }
    }

    @Test
    void nonFiniteValuesAreRefusedWithTheirPlace() {
        float[] v = {1f, Float.NaN, 2f};
        assertThatThrownBy(() -> Q8.quantize(Weight.of(v, 1, 3), Arena.ofAuto()))
                .hasMessage("Q8_0: row 0, block 0 holds a non-finite value");
        assertThatThrownBy(() -> new Weight(Arena.ofAuto().allocate(10), WeightType.Q8_0, 1, 9))
                .hasMessage("weight [1, 9] Q8_0 needs 11 bytes, segment has 10");
    }

    /** Both quantizers' output bytes, or both error messages. */
    private static void assertSameAsScalar(Weight w, String what) {
        String fastError = null, scalarError = null;
        Weight fast = null, scalar = null;
        try {
            fast = Q8.quantize(w, Arena.ofAuto());
        } catch (IllegalArgumentException e) {
            fastError = e.getMessage();
        }
        try {
            scalar = Q8.quantizeScalar(w, Arena.ofAuto());
        } catch (IllegalArgumentException e) {
            scalarError = e.getMessage();
        }
        assertThat(fastError).as(what).isEqualTo(scalarError);
        if (scalar != null) {
            assertThat(fast.data().mismatch(scalar.data())).as(what + ": first differing byte").isEqualTo(-1L);
        }
    }

    private static Weight typed(float[] v, int rows, int cols, WeightType type) {
        if (type == WeightType.F32) return Weight.of(v, rows, cols);
        MemorySegment seg = Arena.ofAuto().allocate(2L * v.length, 2);
        for (int i = 0; i < v.length; i++) {
            short bits = type == WeightType.BF16 ? (short) (Float.floatToRawIntBits(v[i]) >>> 16) : Float.floatToFloat16(v[i]);
            seg.set(Weight.I16, 2L * i, bits);
        }
        return new Weight(seg, type, rows, cols);
    }

    @Test
    void theFastQuantizerEqualsTheScalarOneBitForBit() {
        SplittableRandom rnd = new SplittableRandom(7);
        // {600, 512}: several parallel bands; {2100, 8192}: an output above LazyMemory.MIN_MAPPED (a mapped buffer)
        int[][] shapes = {{1, 1}, {3, 31}, {2, 32}, {5, 33}, {4, 77}, {7, 300}, {600, 512}, {2100, 8192}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1];
            float[] v = new float[rows * cols];
            for (int i = 0; i < v.length; i++) {
                double mag = Math.pow(10, rnd.nextInt(-8, 5));
                v[i] = (float) ((rnd.nextDouble() * 2 - 1) * mag);
            }
            for (WeightType type : new WeightType[] {WeightType.F32, WeightType.BF16, WeightType.F16}) {
                assertSameAsScalar(typed(v, rows, cols, type), type + " [" + rows + ", " + cols + "]");
            }
        }
    }

    @Test
    void theFastQuantizerEqualsTheScalarOneOnEdgeValues() {
        float[][] blocks = new float[8][];
        blocks[0] = new float[32];                                           // zeros: d = 0
        blocks[1] = new float[32];
        for (int i = 0; i < 32; i++) blocks[1][i] = i % 2 == 0 ? -0f : 0f;  // signed zeros
        blocks[2] = new float[32];
        for (int i = 0; i < 32; i++) blocks[2][i] = (i - 16 + 0.5f) / 8;    // ties: d = 1/8 (max 15.875 = 127/8)
        blocks[2][31] = 15.875f;
        blocks[3] = new float[32];
        for (int i = 0; i < 32; i++) blocks[3][i] = (i % 3 - 1) * 8_300_000f;   // ±max near the float16 limit
        blocks[4] = new float[32];
        for (int i = 0; i < 32; i++) blocks[4][i] = (i - 16) * Float.MIN_VALUE * 1000;   // subnormal: d = 2^-24
        blocks[5] = new float[32];
        for (int i = 0; i < 32; i++) blocks[5][i] = (i - 16) * 1e-6f;       // subnormal float16 scales
        blocks[6] = new float[32];
        for (int i = 0; i < 32; i++) blocks[6][i] = i == 5 ? -127f : (i - 16) * 0.5f + 0.25f;   // exact -max
        blocks[7] = new float[32];
        for (int i = 0; i < 32; i++) blocks[7][i] = Float.MIN_NORMAL * (i - 15);
        float[] v = new float[blocks.length * 32 + 10];   // 266 = 38 · 7
        for (int b = 0; b < blocks.length; b++) System.arraycopy(blocks[b], 0, v, b * 32, 32);
        for (int i = blocks.length * 32; i < v.length; i++) v[i] = (i % 2 == 0 ? 1 : -1) * 2.5f;   // short last block
        assertSameAsScalar(Weight.of(v, 1, v.length), "edge values");
        assertSameAsScalar(Weight.of(v, v.length / 7, 7), "edge values, 7 columns");
        for (WeightType type : new WeightType[] {WeightType.BF16, WeightType.F16}) {
            assertSameAsScalar(typed(v, 1, v.length, type), "edge values as " + type);
            assertSameAsScalar(typed(v, 2, v.length / 2, type), "edge values as " + type + ", 2 rows");
        }
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e38f}) {
            float[] w = v.clone();
            w[40] = bad;
            assertSameAsScalar(Weight.of(w, 1, w.length), "with " + bad);
        }
    }

    @Test
    void columnConcatenationIsTheQuantizationOfTheSideBySideMatrix() {
        int rows = 7;
        int[] widths = {64, 32, 96};
        int cols = 0;
        for (int n : widths) cols += n;
        float[] all = TestData.uniform(11, rows * cols, -2f, 2f);
        Weight[] parts = new Weight[widths.length];
        int c0 = 0;
        for (int i = 0; i < widths.length; i++) {
            float[] part = new float[rows * widths[i]];
            for (int r = 0; r < rows; r++) System.arraycopy(all, r * cols + c0, part, r * widths[i], widths[i]);
            parts[i] = Q8.quantize(Weight.of(part, rows, widths[i]), Arena.ofAuto());
            c0 += widths[i];
        }
        Weight joined = Weight.concatColumns(parts, Arena.ofAuto());
        Weight whole = Q8.quantize(Weight.of(all, rows, cols), Arena.ofAuto());
        assertThat(joined.rows()).isEqualTo(rows);
        assertThat(joined.cols()).isEqualTo(cols);
        assertThat(joined.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .containsExactly(whole.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @Test
    void columnConcatenationRefusesBlocksThatWouldStraddleTwoWeights() {
        Weight a = Q8.quantize(Weight.of(new float[4 * 32], 4, 32), Arena.ofAuto());
        Weight b = Q8.quantize(Weight.of(new float[4 * 24], 4, 24), Arena.ofAuto());
        assertThatThrownBy(() -> Weight.concatColumns(new Weight[] {a, b, a}, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("part 1 is Q8_0 [4, 24], expected Q8_0 [4, a multiple of 32 (all but the last part)]");
        Weight f = Weight.of(new float[4 * 32], 4, 32);
        assertThatThrownBy(() -> Weight.concatColumns(new Weight[] {a, f}, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("part 1 is F32 [4, 32], expected Q8_0");
    }
}
