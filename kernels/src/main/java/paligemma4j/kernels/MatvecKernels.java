package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix-vector product for one token (decode): {@code y[o] = Σ_i x[i] · W[i, o]} with W stored
 * {@code [in, out]} row-major in its checkpoint type. Saxpy form: the caller gives each core a
 * column range {@code [c0, c0 + n)}; the kernel streams four (f32) or eight (bf16) W rows at a time through that range
 * once (each weight byte is read exactly once, sequentially) and accumulates in {@code acc}.
 *
 * <p>bf16 weights are read as int pairs (see {@link Simd}), so their accumulators are kept
 * de-interleaved: {@code acc[accOff + p]} holds column {@code c0 + 2p} and
 * {@code acc[accOff + n/2 + p]} column {@code c0 + 2p + 1}; {@link #interleave} puts them back.
 * The bf16 kernel needs an even {@code n}; the caller handles an odd last column with
 * {@link #column}.
 *
 * <p>These are the hot inner loops: arrays, offsets and sizes go in as plain parameters, not records, so a
 * call allocates and dereferences nothing beyond its data (hence the long parameter lists).
 */
final class MatvecKernels {

    /** W rows read together by the f32 kernel: amortises the accumulator loads and stores. */
    static final int ROWS_PER_PASS = 4;
    /**
     * W rows read together by the bf16 kernel: eight at the full vector width streamed best of four,
     * eight and sixteen (docs/performance.md#kernel-design-measurements).
     */
    static final int BF16_ROWS_PER_PASS = 8;

    /** W rows shorter than this many bytes (a page) are spread over the row range in each pass ({@link #passSpread}). */
    static final long SPREAD_BELOW_BYTES = 4096;

    private MatvecKernels() {
    }

    /**
     * The distance in rows between the {@code perPass} W rows that one pass of a matrix-vector kernel
     * reads, over {@code rows} rows of {@code rowBytes} bytes: 1 (consecutive rows) for rows of a page or
     * more; for shorter rows ⌊rows / perPass⌋, so that a pass reads separate ascending streams in separate
     * pages instead of interleaved ones within the same few pages, which the hardware prefetchers
     * follow worse. Longer rows stay consecutive: spreading them measured no better
     * (docs/performance.md#kernel-design-measurements).
     */
    static int passSpread(long rowBytes, int rows, int perPass) {
        return rowBytes < SPREAD_BELOW_BYTES ? Math.max(1, rows / perPass) : 1;
    }

    /** f32 weights: {@code acc[accOff + c] = Σ_i x[xOff + i] · W[i, c0 + c]} for c in [0, n). */
    static void f32(float[] x, int xOff, int in, MemorySegment w, int out, int c0, int n, float[] acc, int accOff) {
        java.util.Arrays.fill(acc, accOff, accOff + n, 0f);
        int nv = n - n % L;
        long rowBytes = (long) out * 4;
        int i = 0;
        for (; i + ROWS_PER_PASS <= in; i += ROWS_PER_PASS) {
            float s0 = x[xOff + i], s1 = x[xOff + i + 1], s2 = x[xOff + i + 2], s3 = x[xOff + i + 3];
            FloatVector x0 = FloatVector.broadcast(F, s0), x1 = FloatVector.broadcast(F, s1);
            FloatVector x2 = FloatVector.broadcast(F, s2), x3 = FloatVector.broadcast(F, s3);
            long b0 = ((long) i * out + c0) * 4, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
            for (int c = 0; c < nv; c += L) {
                long o = (long) c * 4;
                FloatVector a = FloatVector.fromArray(F, acc, accOff + c);
                a = FloatVector.fromMemorySegment(F, w, b0 + o, Simd.LE).fma(x0, a);
                a = FloatVector.fromMemorySegment(F, w, b1 + o, Simd.LE).fma(x1, a);
                a = FloatVector.fromMemorySegment(F, w, b2 + o, Simd.LE).fma(x2, a);
                a = FloatVector.fromMemorySegment(F, w, b3 + o, Simd.LE).fma(x3, a);
                a.intoArray(acc, accOff + c);
            }
            for (int c = nv; c < n; c++) {
                long o = (long) c * 4;
                float a = acc[accOff + c];
                a = Math.fma(s0, w.get(Weight.F32, b0 + o), a);
                a = Math.fma(s1, w.get(Weight.F32, b1 + o), a);
                a = Math.fma(s2, w.get(Weight.F32, b2 + o), a);
                a = Math.fma(s3, w.get(Weight.F32, b3 + o), a);
                acc[accOff + c] = a;
            }
        }
        for (; i < in; i++) {
            float s = x[xOff + i];
            FloatVector xs = FloatVector.broadcast(F, s);
            long b = ((long) i * out + c0) * 4;
            for (int c = 0; c < nv; c += L) {
                FloatVector a = FloatVector.fromArray(F, acc, accOff + c);
                FloatVector.fromMemorySegment(F, w, b + (long) c * 4, Simd.LE).fma(xs, a).intoArray(acc, accOff + c);
            }
            for (int c = nv; c < n; c++) {
                acc[accOff + c] = Math.fma(s, w.get(Weight.F32, b + (long) c * 4), acc[accOff + c]);
            }
        }
    }

    /** bf16 weights, de-interleaved accumulators (see the class comment); {@code n} even. */
    static void bf16(float[] x, int xOff, int in, MemorySegment w, int out, int c0, int n, float[] acc, int accOff) {
        bf16Pairs(x, xOff, in, w, out, c0, n, acc, accOff);
    }

    /**
     * f16 weights, plain accumulators: each row segment is copied into {@code s16} and widened
     * into {@code f32} (scratch of ≥ n elements each) by {@link Simd#widenF16}, then added. (An
     * in-register f16 conversion built from lane operations is too large for C2 to inline in
     * these loops, and the JDK's auto-vectorised {@code Float.float16ToFloat} is one instruction.)
     */
    static void f16(float[] x, int xOff, int in, MemorySegment w, int out, int c0, int n, float[] acc, int accOff,
                    short[] s16, float[] f32) {
        java.util.Arrays.fill(acc, accOff, accOff + n, 0f);
        int nv = n - n % L;
        for (int i = 0; i < in; i++) {
            MemorySegment.copy(w, Weight.I16, ((long) i * out + c0) * 2, s16, 0, n);
            Simd.widenF16(s16, f32, n);
            float s = x[xOff + i];
            FloatVector xs = FloatVector.broadcast(F, s);
            for (int c = 0; c < nv; c += L) {
                FloatVector.fromArray(F, f32, c).fma(xs, FloatVector.fromArray(F, acc, accOff + c)).intoArray(acc, accOff + c);
            }
            for (int c = nv; c < n; c++) {
                acc[accOff + c] = Math.fma(s, f32[c], acc[accOff + c]);
            }
        }
    }

    private static void bf16Pairs(float[] x, int xOff, int in, MemorySegment w, int out, int c0, int n,
                                  float[] acc, int accOff) {
        int np = n / 2;
        int even = accOff, odd = accOff + np;
        java.util.Arrays.fill(acc, accOff, accOff + n, 0f);
        int npv = np - np % L;
        long rowBytes = (long) out * 2;
        int passes = in / BF16_ROWS_PER_PASS, spread = passSpread(rowBytes, in, BF16_ROWS_PER_PASS);
        for (int p = 0; p < passes; p++) {
            int first = spread > 1 ? p : BF16_ROWS_PER_PASS * p;
            long b0 = ((long) first * out + c0) * 2;
            bf16Pass(x, xOff + first, spread, w, b0, spread * rowBytes, npv, acc, even, odd);
            for (int k = 0; k < BF16_ROWS_PER_PASS; k++) {
                int r = first + k * spread;
                pairsTail(x[xOff + r], w, ((long) r * out + c0) * 2, npv, np, acc, even, odd, false);
            }
        }
        for (int i = BF16_ROWS_PER_PASS * passes; i < in; i++) {   // the last rows one at a time, in order
            FloatVector xs = FloatVector.broadcast(F, x[xOff + i]);
            long b = ((long) i * out + c0) * 2;
            for (int p = 0; p < npv; p += L) {
                IntVector wp = IntVector.fromMemorySegment(Simd.I, w, b + (long) p * 4, Simd.LE);
                FloatVector e = FloatVector.fromArray(F, acc, even + p);
                FloatVector d = FloatVector.fromArray(F, acc, odd + p);
                wp.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xs, e).intoArray(acc, even + p);
                wp.and(0xFFFF0000).reinterpretAsFloats().fma(xs, d).intoArray(acc, odd + p);
            }
            pairsTail(x[xOff + i], w, b, npv, np, acc, even, odd, false);
        }
    }

    /**
     * The vector part of one pass of {@link #bf16Pairs}: {@value #BF16_ROWS_PER_PASS} W rows from byte
     * {@code b0} ({@code step} bytes apart; their x values {@code xs} apart from {@code x[xi]}), pairs
     * [0, npv), added row by row (in pass order) into the de-interleaved accumulators. Straight-line
     * code in a method of its own, so C2 keeps the eight broadcasts in registers and compiles it apart
     * from its caller. The bf16 widening is written
     * out here: at 512 bits C2 did not inline {@link Simd#bf16Even} into this method (the vectors were
     * boxed: a 10× slower decode).
     */
    private static void bf16Pass(float[] x, int xi, int xs, MemorySegment w, long b0, long step, int npv, float[] acc,
                                 int even, int odd) {
        FloatVector x0 = FloatVector.broadcast(F, x[xi]);
        FloatVector x1 = FloatVector.broadcast(F, x[xi + xs]);
        FloatVector x2 = FloatVector.broadcast(F, x[xi + 2 * xs]);
        FloatVector x3 = FloatVector.broadcast(F, x[xi + 3 * xs]);
        FloatVector x4 = FloatVector.broadcast(F, x[xi + 4 * xs]);
        FloatVector x5 = FloatVector.broadcast(F, x[xi + 5 * xs]);
        FloatVector x6 = FloatVector.broadcast(F, x[xi + 6 * xs]);
        FloatVector x7 = FloatVector.broadcast(F, x[xi + 7 * xs]);
        long b1 = b0 + step, b2 = b1 + step, b3 = b2 + step, b4 = b3 + step, b5 = b4 + step, b6 = b5 + step, b7 = b6 + step;
        for (int p = 0; p < npv; p += L) {
            long o = (long) p * 4;
            FloatVector e = FloatVector.fromArray(F, acc, even + p);
            FloatVector d = FloatVector.fromArray(F, acc, odd + p);
            IntVector w0 = IntVector.fromMemorySegment(Simd.I, w, b0 + o, Simd.LE);
            e = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x0, e);
            d = w0.and(0xFFFF0000).reinterpretAsFloats().fma(x0, d);
            IntVector w1 = IntVector.fromMemorySegment(Simd.I, w, b1 + o, Simd.LE);
            e = w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x1, e);
            d = w1.and(0xFFFF0000).reinterpretAsFloats().fma(x1, d);
            IntVector w2 = IntVector.fromMemorySegment(Simd.I, w, b2 + o, Simd.LE);
            e = w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x2, e);
            d = w2.and(0xFFFF0000).reinterpretAsFloats().fma(x2, d);
            IntVector w3 = IntVector.fromMemorySegment(Simd.I, w, b3 + o, Simd.LE);
            e = w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x3, e);
            d = w3.and(0xFFFF0000).reinterpretAsFloats().fma(x3, d);
            IntVector w4 = IntVector.fromMemorySegment(Simd.I, w, b4 + o, Simd.LE);
            e = w4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x4, e);
            d = w4.and(0xFFFF0000).reinterpretAsFloats().fma(x4, d);
            IntVector w5 = IntVector.fromMemorySegment(Simd.I, w, b5 + o, Simd.LE);
            e = w5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x5, e);
            d = w5.and(0xFFFF0000).reinterpretAsFloats().fma(x5, d);
            IntVector w6 = IntVector.fromMemorySegment(Simd.I, w, b6 + o, Simd.LE);
            e = w6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x6, e);
            d = w6.and(0xFFFF0000).reinterpretAsFloats().fma(x6, d);
            IntVector w7 = IntVector.fromMemorySegment(Simd.I, w, b7 + o, Simd.LE);
            e = w7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x7, e);
            d = w7.and(0xFFFF0000).reinterpretAsFloats().fma(x7, d);
            e.intoArray(acc, even + p);
            d.intoArray(acc, odd + p);
        }
    }

    private static void pairsTail(float s, MemorySegment w, long rowByte, int from, int np,
                                  float[] acc, int even, int odd, boolean f16) {
        for (int p = from; p < np; p++) {
            short lo = w.get(Weight.I16, rowByte + (long) p * 4);
            short hi = w.get(Weight.I16, rowByte + (long) p * 4 + 2);
            float we = f16 ? Float.float16ToFloat(lo) : Simd.bf16(lo);
            float wo = f16 ? Float.float16ToFloat(hi) : Simd.bf16(hi);
            acc[even + p] = Math.fma(s, we, acc[even + p]);
            acc[odd + p] = Math.fma(s, wo, acc[odd + p]);
        }
    }

    /**
     * Writes {@code y[yOff + c] = acc[c] (+ bias[biasOff + c])} for c in [0, n), reading the
     * de-interleaved layout when {@code deinterleaved}.
     */
    static void interleave(float[] acc, int accOff, int n, boolean deinterleaved, float[] bias, int biasOff,
                           float[] y, int yOff) {
        int np = n / 2;
        for (int c = 0; c < n; c++) {
            float v = deinterleaved ? acc[accOff + (c & 1) * np + (c >> 1)] : acc[accOff + c];
            y[yOff + c] = bias == null ? v : v + bias[biasOff + c];
        }
    }

    /** One column by itself (the odd last column of a 16-bit weight): {@code Σ_i x[i] · W[i, col]}. */
    static float column(float[] x, int xOff, int in, MemorySegment w, int out, int col, WeightType type) {
        float acc = 0f;
        for (int i = 0; i < in; i++) {
            long e = (long) i * out + col;
            float wv = switch (type) {
                case F32 -> w.get(Weight.F32, e * 4);
                case BF16 -> Simd.bf16(w.get(Weight.I16, e * 2));
                case F16 -> Float.float16ToFloat(w.get(Weight.I16, e * 2));
                case Q8_0 -> throw new IllegalStateException("Q8_0 weights go through Q8Kernels");
            };
            acc = Math.fma(x[xOff + i], wv, acc);
        }
        return acc;
    }
}
