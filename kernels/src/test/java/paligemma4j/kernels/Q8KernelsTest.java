package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The Q8_0 kernels ({@link Q8Kernels}) equal, bit for bit, plain scalar loops that add the same
 * products in the order each kernel documents: odd sizes (columns not a multiple of a block, row
 * counts not a multiple of the rows per pass, a single row or column), row ranges that start inside W.
 */
class Q8KernelsTest {

    private static final int L = Q8Kernels.L;
    /** Whether the kernels take their vector paths (else every block goes through the scalar tail). */
    private static final boolean VECTOR = L >= 8 && Q8.BLOCK % L == 0;

    private static float scale(Weight w, int r, int b) {
        return Float.float16ToFloat(w.data().get(Weight.I16, r * Q8.rowBytes(w.cols()) + 2L * b));
    }

    private static byte q(Weight w, int r, int c) {
        return w.data().get(ValueLayout.JAVA_BYTE, r * Q8.rowBytes(w.cols()) + 2L * Q8.blocks(w.cols()) + c);
    }

    /**
     * Reference of {@link Q8Kernels#rows}: per column, {@code acc = fma(x_i · d_ib, q_io, acc)} for i in
     * the kernel's pass order (the rows of each pass {@link Q8Kernels#passRows} apart, then the rest in order).
     */
    private static float[] rowsReference(float[] x, int xOff, Weight w, int i0, int i1) {
        int r = Q8Kernels.ROWS_PER_PASS;
        int passes = (i1 - i0) / r, spread = Q8Kernels.passRows(Q8.rowBytes(w.cols()), i1 - i0);
        int[] order = new int[i1 - i0];
        for (int p = 0; p < passes; p++) {
            for (int k = 0; k < r; k++) order[r * p + k] = spread > 1 ? i0 + p + k * spread : i0 + r * p + k;
        }
        for (int i = i0 + r * passes; i < i1; i++) order[i - i0] = i;
        float[] acc = new float[w.cols()];
        for (int o = 0; o < w.cols(); o++) {
            float a = 0f;
            for (int i : order) {
                a = Math.fma(x[xOff + i] * scale(w, i, o / Q8.BLOCK), q(w, i, o), a);
            }
            acc[o] = a;
        }
        return acc;
    }

    /**
     * Reference of {@link Q8Kernels#dot}: L lane sums over the full blocks, then the short block. Lane l of a
     * block sums its elements l, l + L, … (16 lanes), or 4l … 4l + 3 with {@link Q8Kernels#PHASES} (8 lanes).
     */
    private static float dotReference(float[] x, int xOff, Weight w, int o) {
        int width = w.cols(), nb = Q8.blocks(width);
        int full = VECTOR ? width / Q8.BLOCK : 0;
        int first = Q8Kernels.PHASES ? 4 : 1, step = Q8Kernels.PHASES ? 1 : L;   // lane l's elements: first·l + k·step
        float[] lanes = new float[L];
        for (int b = 0; b < full; b++) {
            for (int l = 0; l < L; l++) {
                int c = b * Q8.BLOCK + first * l;
                float t = q(w, o, c) * x[xOff + c];
                for (int k = 1; k < Q8.BLOCK / L; k++) {
                    t = Math.fma(q(w, o, c + k * step), x[xOff + c + k * step], t);
                }
                lanes[l] = Math.fma(t, scale(w, o, b), lanes[l]);
            }
        }
        float sum = lanes[0];
        for (int l = 1; l < L; l++) sum += lanes[l];
        for (int b = full; b < nb; b++) {
            int c0 = b * Q8.BLOCK, c1 = Math.min(width, c0 + Q8.BLOCK);
            float t = x[xOff + c0] * q(w, o, c0);
            for (int c = c0 + 1; c < c1; c++) t = Math.fma(q(w, o, c), x[xOff + c], t);
            sum = Math.fma(t, scale(w, o, b), sum);
        }
        return sum;
    }

    /** {@link Q8Kernels#dot} with x also given in phase order, as {@code JvmProducts} gives it. */
    static void dot(float[] x, int xOff, int width, MemorySegment w, int o0, int o1, float[] y, int yOff) {
        float[] xs = new float[width + 1];
        Q8Kernels.phases(x, xOff, width, xs, 1);
        int scratch = Q8Kernels.scratchFloats(width);
        Q8Kernels.dot(x, xOff, xs, 1, width, w, o0, o1, y, yOff, new short[scratch], new float[scratch]);
    }

    @Test
    void phasesTakeByteKOfEachIntThenPutTheColumnsBack() {
        float[] x = new float[77];
        for (int i = 0; i < x.length; i++) x[i] = i;
        float[] xs = new float[70];
        Q8Kernels.phases(x, 3, 67, xs, 2);            // two full blocks of x[3 ..]; the short one is not copied
        assertThat(java.util.Arrays.copyOfRange(xs, 2, 10)).containsExactly(3, 7, 11, 15, 19, 23, 27, 31);
        assertThat(java.util.Arrays.copyOfRange(xs, 10, 18)).containsExactly(4, 8, 12, 16, 20, 24, 28, 32);
        assertThat(xs[2 + 32 + 31]).isEqualTo(3 + 32 + 31);
        assertThat(xs[0]).isZero();
        assertThat(xs[2 + 64]).isZero();
    }

    @Test
    void rowsEqualTheScalarReference() {
        // row counts with and without spread passes (rows under a page), and rows over a page (consecutive)
        int[][] shapes = {{1, 1}, {1, 33}, {5, 32}, {7, 77}, {13, 64}, {9, 300}, {4, 31}, {11, 1}, {23, 96},
                {8, 4096 + 19}, {9, 4096 + 19}};
        for (int[] s : shapes) {
            int in = s[0], out = s[1];
            Weight w = TestData.weight(in * 1000L + out, in, out, WeightType.Q8_0);
            float[] x = TestData.uniform(out, in + 3, -2f, 2f);
            int scratch = Q8Kernels.scratchFloats(out);
            for (int[] range : new int[][] {{0, in}, {in / 3, in}, {0, (in + 1) / 2}}) {
                int i0 = range[0], i1 = range[1];
                float[] acc = new float[out + 5];
                acc[2] = 99f;   // the kernel zeroes its own range first
                Q8Kernels.rows(x, 3, w.data(), out, i0, i1, acc, 2, new short[scratch], new float[scratch]);
                float[] want = rowsReference(x, 3, w, i0, i1);
                assertThat(java.util.Arrays.copyOfRange(acc, 2, 2 + out)).as("W [%d, %d] rows [%d, %d)", in, out, i0, i1)
                        .isEqualTo(want);
                assertThat(acc[0]).isZero();
                assertThat(acc[out + 2]).isZero();
            }
        }
    }

    @Test
    void columnRangesOfRowsEqualTheWholeRows() {
        int in = 9, out = 300;
        Weight w = TestData.weight(31, in, out, WeightType.Q8_0);
        float[] x = TestData.uniform(32, in, -2f, 2f);
        float[] want = rowsReference(x, 0, w, 1, in);
        int scratch = Q8Kernels.scratchFloats(out);
        for (int[] range : new int[][] {{0, 32}, {32, 77}, {64, 236}, {288, 12}, {96, 200}}) {
            int c0 = range[0], n = range[1];
            float[] acc = new float[n + 1];
            Q8Kernels.rows(x, 0, w.data(), out, c0, n, 1, in, acc, 1, new short[scratch], new float[scratch]);
            assertThat(java.util.Arrays.copyOfRange(acc, 1, n + 1)).as("columns [%d, %d)", c0, c0 + n)
                    .isEqualTo(java.util.Arrays.copyOfRange(want, c0, c0 + n));
        }
    }

    @Test
    void dotEqualsTheScalarReference() {
        int[][] shapes = {{1, 1}, {1, 32}, {7, 77}, {9, 64}, {4, 31}, {13, 300}, {6, 2048 + 5}};
        for (int[] s : shapes) {
            int n = s[0], width = s[1];
            Weight w = TestData.weight(n * 7919L + width, n, width, WeightType.Q8_0);
            float[] x = TestData.uniform(width + 1, width + 2, -3f, 3f);
            for (int[] range : new int[][] {{0, n}, {n / 2, n}}) {
                int o0 = range[0], o1 = range[1];
                float[] y = new float[o1 - o0 + 1];
                dot(x, 2, width, w.data(), o0, o1, y, 1);
                for (int o = o0; o < o1; o++) {
                    assertThat(y[1 + o - o0]).as("W [%d, %d] row %d", n, width, o).isEqualTo(dotReference(x, 2, w, o));
                }
                assertThat(y[0]).isZero();
            }
        }
    }

    @Test
    void bandSumsAddInBandOrderThenTheBias() {
        int bands = 3, out = 2 * L + 3;
        float[] partial = TestData.uniform(3, bands * out, -1e4f, 1e4f);
        float[] bias = TestData.uniform(4, out + 1, -1f, 1f);
        float[] y = new float[out + 2];
        Q8Kernels.sumBands(partial, 0, bands, out, 1, out, bias, 1, y, 2);
        for (int o = 1; o < out; o++) {
            float want = (partial[o] + partial[out + o]) + partial[2 * out + o];
            assertThat(y[2 + o]).isEqualTo(want + bias[1 + o]);
        }
        assertThat(y[2]).isZero();
        Q8Kernels.sumBands(partial, 0, 1, out, 0, out, null, 0, y, 0);
        assertThat(java.util.Arrays.copyOf(y, out)).isEqualTo(java.util.Arrays.copyOf(partial, out));
    }

    @Test
    void jvmOpsEqualsTheBandedReferenceForAnyThreadCount() {
        // 600 input rows: three bands of 256, 256 and 88 rows; 77 columns (a short last block)
        int in = 600, out = 77, band = 256;
        Weight w = TestData.weight(11, in, out, WeightType.Q8_0);
        float[] x = TestData.uniform(12, in, -1f, 1f);
        float[] bias = TestData.uniform(13, out, -1f, 1f);
        float[] want = new float[out];
        for (int i0 = 0; i0 < in; i0 += band) {
            float[] p = rowsReference(x, 0, w, i0, Math.min(in, i0 + band));
            for (int o = 0; o < out; o++) want[o] = i0 == 0 ? p[o] : want[o] + p[o];
        }
        for (int o = 0; o < out; o++) want[o] += bias[o];
        for (int threads : new int[] {1, 3}) {
            try (JvmOps ops = new JvmOps(threads)) {
                float[] y = new float[out];
                ops.matmul(x, 1, w, bias, 0, y, 0, out);
                assertThat(y).as("%d threads", threads).isEqualTo(want);
            }
        }
        // one band, 3000 columns: split by columns as well
        Weight wide = TestData.weight(14, 70, 3000, WeightType.Q8_0);
        float[] xw = TestData.uniform(15, 70, -1f, 1f);
        float[] wantWide = rowsReference(xw, 0, wide, 0, 70);
        for (int threads : new int[] {1, 2, 5}) {
            try (JvmOps ops = new JvmOps(threads)) {
                float[] y = new float[3000];
                ops.matmul(xw, 1, wide, null, 0, y, 0, 3000);
                assertThat(y).as("[70, 3000], %d threads", threads).isEqualTo(wantWide);
            }
        }
    }

    @Test
    void kernelsReadUnalignedSegments() {
        Weight w = TestData.weight(21, 6, 45, WeightType.Q8_0);   // TestData slices 2 bytes past a boundary
        assertThat(w.data().address() % 8).isEqualTo(2);
        float[] x = TestData.uniform(22, 45, -1f, 1f);
        float[] y = new float[6];
        dot(x, 0, 45, w.data(), 0, 6, y, 0);
        for (int o = 0; o < 6; o++) assertThat(y[o]).isEqualTo(dotReference(x, 0, w, o));
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) w.data().byteSize()]);
        copy.copyFrom(w.data());
        float[] y2 = new float[6];
        dot(x, 0, 45, copy, 0, 6, y2, 0);
        assertThat(y2).isEqualTo(y);
    }
}
