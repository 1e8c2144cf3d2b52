package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Q8_0 weight format, after GGML's: each row of a {@code [rows, cols]} matrix is cut into
 * blocks of {@link #BLOCK} consecutive elements (the last one shorter when cols is not a multiple),
 * each stored as one float16 scale {@code d} and int8 values {@code q} with {@code w ≈ d · q}.
 * Row layout: {@code ⌈cols/32⌉} scales (2 bytes each), then {@code cols} int8 values.
 *
 * <p>Quantization: {@code d} = {@code max|w|/127} rounded to float16, rounded up when rounding
 * went down (so {@code |w/d| ≤ 127} and nothing clips); {@code q = rint(w / d)}. Error bound per
 * element: {@code |w − d·q| ≤ d/2 ≤ (max|w|/127)·(1 + 2⁻¹⁰)/2} for normal float16 scales; an
 * all-zero block stores {@code d = 0}. Blocks run along the row: along the output for the
 * input-first dense kernels, along the reduction for the output-first unembedding.
 */
public final class Q8 {
    private Q8() {}

    /** Elements per block. */
    public static final int BLOCK = 32;

    /** Blocks in a row of {@code cols} elements. */
    public static int blocks(int cols) {
        return (cols + BLOCK - 1) / BLOCK;
    }

    /** Bytes of one Q8_0 row. */
    public static long rowBytes(int cols) {
        return 2L * blocks(cols) + cols;
    }

    /** Element (r, c) of a Q8_0 matrix with {@code cols} columns, as float32 ({@code d · q}). */
    static float get(MemorySegment data, int cols, int r, int c) {
        long row = r * rowBytes(cols);
        float d = Float.float16ToFloat(data.get(Weight.I16, row + 2L * (c / BLOCK)));
        return d * data.get(ValueLayout.JAVA_BYTE, row + 2L * blocks(cols) + c);
    }

    /** {@code w} (any type) quantized to Q8_0 in {@code arena}. */
    public static Weight quantize(Weight w, Arena arena) {
        int rows = w.rows(), cols = w.cols(), nb = blocks(cols);
        long rowBytes = rowBytes(cols);
        MemorySegment out = arena.allocate(rows * rowBytes, 64);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) row[c] = w.get(r, c);
            long base = r * rowBytes;
            for (int b = 0; b < nb; b++) {
                int c0 = b * BLOCK, c1 = Math.min(cols, c0 + BLOCK);
                float max = 0f;
                for (int c = c0; c < c1; c++) max = Math.max(max, Math.abs(row[c]));
                if (!Float.isFinite(max)) {
                    throw new IllegalArgumentException("Q8_0: row " + r + ", block " + b + " holds a non-finite value");
                }
                short dBits = scale(max);
                float d = Float.float16ToFloat(dBits);
                if (Float.isInfinite(d)) {
                    throw new IllegalArgumentException("Q8_0: row " + r + ", block " + b + ": max |w| = " + max
                            + " needs a scale beyond float16");
                }
                out.set(Weight.I16, base + 2L * b, dBits);
                for (int c = c0; c < c1; c++) {
                    int q = d == 0f ? 0 : (int) Math.rint(row[c] / d);
                    out.set(ValueLayout.JAVA_BYTE, base + 2L * nb + c, (byte) Math.max(-127, Math.min(127, q)));
                }
            }
        }
        return new Weight(out, WeightType.Q8_0, rows, cols);
    }

    /** float16 bits of {@code max/127}, rounded up to the next float16 if rounding went down. */
    static short scale(float max) {
        float want = max / 127f;
        short bits = Float.floatToFloat16(want);
        if (Float.float16ToFloat(bits) < want) bits++;   // positive float16: the next larger value
        return bits;
    }
}
