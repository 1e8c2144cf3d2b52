package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

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

    /**
     * {@code w} (any type) quantized to Q8_0 in {@code arena}, as {@link #quantizeScalar} does
     * (bit for bit), vectorised and spread over the common fork-join pool by bands of rows (when
     * both segments may be accessed from any thread; a confined arena keeps it on this thread).
     */
    public static Weight quantize(Weight w, Arena arena) {
        int rows = w.rows(), cols = w.cols();
        MemorySegment out = LazyMemory.allocate(arena, rows * rowBytes(cols));
        int band = Math.max(1, QUANTIZE_ELEMENTS / cols);
        int bands = (rows + band - 1) / band;
        IntStream range = IntStream.range(0, bands);
        boolean shared = out.isAccessibleBy(PROBE) && w.data().isAccessibleBy(PROBE);   // else: confined, stay here
        (bands > 1 && shared ? range.parallel() : range).forEach(t -> {
            int[] row = new int[cols];
            short[] s16 = w.type() == WeightType.BF16 || w.type() == WeightType.F16 ? new short[cols] : null;
            float[] f16 = w.type() == WeightType.F16 ? new float[cols] : null;
            byte[] q = new byte[cols];
            boolean bf16 = w.type() == WeightType.BF16 && BYTES != null && BLOCK % (2 * LANES) == 0;
            int[] packed = bf16 ? new int[cols / 2] : null;
            short[] pairs = bf16 ? new short[cols / 2] : null;
            for (int r = t * band; r < Math.min(rows, (t + 1) * band); r++) {
                if (bf16) {
                    quantizeRowBf16(w.data(), r * w.type().rowBytes(cols), packed, row, r, out, r * rowBytes(cols), pairs, q);
                } else {
                    widenRow(w, r, row, s16, f16);
                    quantizeRow(row, r, out, r * rowBytes(cols), q);
                }
            }
        });
        return new Weight(out, WeightType.Q8_0, rows, cols, w.orientation());
    }

    /** A thread that is never started: segments it may access are accessible from any thread. */
    private static final Thread PROBE = Thread.ofPlatform().unstarted(() -> { });
    /** Elements per task of {@link #quantize} (whole rows; at least one row). */
    private static final int QUANTIZE_ELEMENTS = 1 << 18;
    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final int LANES = Simd.L;
    /** LANES shorts (the smallest short vector is 64 bits: exists when BYTES does). */
    private static final VectorSpecies<Short> SHORTS =
            LANES >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * 16)) : null;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    /** LANES bytes (none below 8 lanes: the smallest byte vector is 64 bits). */
    private static final VectorSpecies<Byte> BYTES =
            LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    /** 1.5·2²³: see {@link #quantizeBlock}. */
    private static final float RINT = 12582912f;
    /** Bits of {@link #RINT} (low byte 0). */
    private static final int RINT_BITS = Float.floatToRawIntBits(RINT);

    /** Row r of w as float32 bits into {@code row}; {@code s16}, {@code f16}: scratch for 16-bit types. */
    private static void widenRow(Weight w, int r, int[] row, short[] s16, float[] f16) {
        int cols = w.cols();
        long at = r * w.type().rowBytes(cols);
        switch (w.type()) {
            case F32 -> MemorySegment.copy(w.data(), I32, at, row, 0, cols);
            case BF16 -> {
                MemorySegment.copy(w.data(), Weight.I16, at, s16, 0, cols);
                for (int c = 0; c < cols; c++) row[c] = s16[c] << 16;
            }
            case F16 -> {
                MemorySegment.copy(w.data(), Weight.I16, at, s16, 0, cols);
                Simd.widenF16(s16, f16, cols);
                for (int c = 0; c < cols; c++) row[c] = Float.floatToRawIntBits(f16[c]);
            }
            case Q8_0 -> {
                for (int c = 0; c < cols; c++) row[c] = Float.floatToRawIntBits(w.get(r, c));
            }
        }
    }

    /**
     * One row (float32 bits) quantized: its scales and int8 values at {@code base} of {@code out};
     * {@code q}: scratch of cols bytes. Per block: max |w| ({@link #blockMax}), the scale, then
     * {@link #quantizeBlock}; the row's bytes are copied out at once.
     */
    private static void quantizeRow(int[] row, int r, MemorySegment out, long base, byte[] q) {
        int cols = row.length, nb = blocks(cols);
        boolean vector = BYTES != null && BLOCK % LANES == 0;
        for (int b = 0; b < nb; b++) {
            int c0 = b * BLOCK, c1 = Math.min(cols, c0 + BLOCK);
            boolean full = vector && c1 - c0 == BLOCK;
            float d = blockScale(row, c0, c1, full, r, b, out, base);
            if (d == 0f) {
                java.util.Arrays.fill(q, c0, c1, (byte) 0);
            } else if (full) {
                quantizeBlock(row, c0, d, q);
            } else {
                quantizeShort(row, c0, c1, d, q);
            }
        }
        MemorySegment.copy(q, 0, out, ValueLayout.JAVA_BYTE, base + 2L * nb, cols);
    }

    /**
     * Block b of row r ({@code row[c0 .. c1)}, float32 bits): its largest |w| ({@link #blockMax} for a
     * full block), the checked float16 scale stored at {@code base + 2b} of {@code out}; returns the scale.
     */
    private static float blockScale(int[] row, int c0, int c1, boolean full, int r, int b, MemorySegment out, long base) {
        int maxBits = 0;
        if (full) {
            maxBits = blockMax(row, c0);
        } else {
            for (int c = c0; c < c1; c++) maxBits = Math.max(maxBits, row[c] & 0x7FFFFFFF);
        }
        short dBits = checkedScale(maxBits, r, b);
        out.set(Weight.I16, base + 2L * b, dBits);
        return Float.float16ToFloat(dBits);
    }

    /** {@code q[c] = clamp(rint(w_c / d), −127, 127)} for c in [c0, c1), element by element (a short block). */
    private static void quantizeShort(int[] row, int c0, int c1, float d, byte[] q) {
        for (int c = c0; c < c1; c++) {
            q[c] = (byte) Math.max(-127, Math.min(127, (int) Math.rint(Float.intBitsToFloat(row[c]) / d)));
        }
    }

    /**
     * The float16 scale bits of a block whose largest |w| has float bits {@code maxBits}; one line
     * naming row and block when that is not finite or needs a scale beyond float16.
     */
    private static short checkedScale(int maxBits, int r, int b) {
        if (maxBits >= 0x7F800000) {   // infinity or NaN
            throw new IllegalArgumentException("Q8_0: row " + r + ", block " + b + " holds a non-finite value");
        }
        float max = Float.intBitsToFloat(maxBits);
        short dBits = scale(max);
        if (Float.isInfinite(Float.float16ToFloat(dBits))) {
            throw new IllegalArgumentException("Q8_0: row " + r + ", block " + b + ": max |w| = " + max
                    + " needs a scale beyond float16");
        }
        return dBits;
    }

    /**
     * {@link #quantizeRow} for a bfloat16 row at {@code at} of {@code src}: the row's bytes copied at once into
     * {@code packed} as int pairs (element 2j in the low half of int j), each full block read from there twice
     * and split into its even and odd elements in registers, once for its largest |w| ({@link #blockMaxBf16})
     * and once to quantize it ({@link #quantizePairsBf16}) into {@code pairs}, copied out at once. Heap arrays,
     * not the segments, inside the loops: an access to a segment checks its arena's state each time. A last
     * short block goes through {@code row} and {@code q} element by element.
     */
    private static void quantizeRowBf16(MemorySegment src, long at, int[] packed, int[] row, int r, MemorySegment out,
                                        long base, short[] pairs, byte[] q) {
        int cols = row.length, nb = blocks(cols), grouped = cols / BLOCK * BLOCK;
        long values = base + 2L * nb;
        MemorySegment.copy(src, I32, at, packed, 0, grouped / 2);
        for (int b = 0; b < grouped / BLOCK; b++) {
            int p0 = b * BLOCK / 2;
            short dBits = checkedScale(blockMaxBf16(packed, p0), r, b);
            out.set(Weight.I16, base + 2L * b, dBits);
            float d = Float.float16ToFloat(dBits);
            if (d == 0f) {
                java.util.Arrays.fill(pairs, p0, p0 + BLOCK / 2, (short) 0);
            } else {
                quantizePairsBf16(packed, p0, d, pairs);
            }
        }
        MemorySegment.copy(pairs, 0, out, Weight.I16, values, grouped / 2);
        if (grouped < cols) {
            for (int c = grouped; c < cols; c++) row[c] = src.get(Weight.I16, at + 2L * c) << 16;
            float d = blockScale(row, grouped, cols, false, r, nb - 1, out, base);
            if (d == 0f) {
                java.util.Arrays.fill(q, grouped, cols, (byte) 0);
            } else {
                quantizeShort(row, grouped, cols, d, q);
            }
            MemorySegment.copy(q, grouped, out, ValueLayout.JAVA_BYTE, values + grouped, cols - grouped);
        }
    }

    /**
     * max |w| of the full bfloat16 block at pair {@code p0} of {@code packed}, as float32 bits:
     * {@code (v << 16) & 0x7FFF0000} is the even elements' |w|, {@code v & 0x7FFF0000} the odd ones'.
     */
    private static int blockMaxBf16(int[] packed, int p0) {
        IntVector m = IntVector.zero(I);
        for (int p = p0; p < p0 + BLOCK / 2; p += LANES) {
            IntVector v = IntVector.fromArray(I, packed, p);
            m = m.max(v.lanewise(VectorOperators.LSHL, 16).and(0x7FFF0000)).max(v.and(0x7FFF0000));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * As {@link #quantizeBlock} for the full bfloat16 block at pair {@code p0} of {@code packed} (d finite, not
     * 0): each pair of elements (2j, 2j + 1) becomes the short {@code q_2j | q_2j+1 << 8} of {@code pairs},
     * which little-endian puts the bytes in order.
     */
    private static void quantizePairsBf16(int[] packed, int p0, float d, short[] pairs) {
        FloatVector dv = FloatVector.broadcast(F, d);
        for (int p = p0; p < p0 + BLOCK / 2; p += LANES) {
            IntVector v = IntVector.fromArray(I, packed, p);
            IntVector even = Simd.bf16Even(v).div(dv).add(RINT).reinterpretAsInts().max(RINT_BITS - 127).min(RINT_BITS + 127);
            IntVector odd = Simd.bf16Odd(v).div(dv).add(RINT).reinterpretAsInts().max(RINT_BITS - 127).min(RINT_BITS + 127);
            even.and(0xFF).or(odd.lanewise(VectorOperators.LSHL, 8))
                    .convertShape(VectorOperators.I2S, SHORTS, 0).reinterpretAsShorts().intoArray(pairs, p);
        }
    }

    /**
     * max |w| of the full block at c0, as bits: the int maximum of the bits with the sign cleared
     * (for those the int order is the float order; infinity and NaN sort last). Small methods
     * called once per block: C2 compiles them after a few thousand blocks, where a per-row method
     * would run as interpreted Vector API code through the first matrices.
     */
    private static int blockMax(int[] row, int c0) {
        IntVector m = IntVector.fromArray(I, row, c0).and(0x7FFFFFFF);
        for (int c = c0 + LANES; c < c0 + BLOCK; c += LANES) {
            m = m.max(IntVector.fromArray(I, row, c).and(0x7FFFFFFF));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * {@code q = rint(w / d)} for the full block at c0 (d finite, not 0): the low byte of the bits
     * of {@code w / d + 1.5·2²³} (adding 1.5·2²³ rounds a float of magnitude below 2²² to an
     * integer, ties to even, and leaves that integer in the low mantissa bits), clamped to ±127 on
     * those bits, narrowed to bytes ({@code I2B} keeps the low byte).
     */
    private static void quantizeBlock(int[] row, int c0, float d, byte[] q) {
        FloatVector dv = FloatVector.broadcast(F, d);
        for (int c = c0; c < c0 + BLOCK; c += LANES) {
            IntVector.fromArray(I, row, c).reinterpretAsFloats().div(dv).add(RINT).reinterpretAsInts()
                    .max(RINT_BITS - 127).min(RINT_BITS + 127)
                    .convertShape(VectorOperators.I2B, BYTES, 0).reinterpretAsBytes().intoArray(q, c);
        }
    }

    /**
     * The reference quantizer: one row and one element at a time, {@code q = rint(w / d)} in scalar
     * float32. {@link #quantize} must equal it bit for bit.
     */
    static Weight quantizeScalar(Weight w, Arena arena) {
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
        return new Weight(out, WeightType.Q8_0, rows, cols, w.orientation());
    }

    /** float16 bits of {@code max/127}, rounded up to the next float16 if rounding went down. */
    static short scale(float max) {
        float want = max / 127f;
        short bits = Float.floatToFloat16(want);
        if (Float.float16ToFloat(bits) < want) bits++;   // positive float16: the next larger value
        return bits;
    }
}
