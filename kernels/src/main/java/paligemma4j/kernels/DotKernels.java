package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products against the rows of an output-first matrix W {@code [n, width]} (the tied
 * unembedding {@code logits = h · Eᵀ}): {@code y[yOff + o − o0] = Σ_i x[xOff + i] · W[o, i]} for o in
 * [o0, o1). Four (bf16: eight) W rows at a time share the x loads; each W byte is read once, sequentially.
 *
 * <p>16-bit weights are read as int pairs, so x must be given de-interleaved too
 * ({@link #deinterleave}).
 *
 * <p>These are the hot inner loops: arrays, offsets and sizes go in as plain parameters, not records, so a
 * call allocates and dereferences nothing beyond its data (hence the long parameter lists).
 */
final class DotKernels {

    private DotKernels() {
    }

    /** {@code xs[dst + j] = x[xOff + 2j]}, {@code xs[dst + width/2 + j] = x[xOff + 2j + 1]} for j < width/2. */
    static void deinterleave(float[] x, int xOff, int width, float[] xs, int dst) {
        int half = width / 2;
        for (int j = 0; j < half; j++) {
            xs[dst + j] = x[xOff + 2 * j];
            xs[dst + half + j] = x[xOff + 2 * j + 1];
        }
    }

    /** f32 weights. */
    static void f32(float[] x, int xOff, int width, MemorySegment w, int o0, int o1, float[] y, int yOff) {
        int wv = width - width % L;
        long rowBytes = (long) width * 4;
        int o = o0;
        for (; o + 4 <= o1; o += 4) {
            long b0 = (long) o * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0; i < wv; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
                long off = (long) i * 4;
                a0 = FloatVector.fromMemorySegment(F, w, b0 + off, Simd.LE).fma(xv, a0);
                a1 = FloatVector.fromMemorySegment(F, w, b1 + off, Simd.LE).fma(xv, a1);
                a2 = FloatVector.fromMemorySegment(F, w, b2 + off, Simd.LE).fma(xv, a2);
                a3 = FloatVector.fromMemorySegment(F, w, b3 + off, Simd.LE).fma(xv, a3);
            }
            float s0 = Simd.sumLanes(a0), s1 = Simd.sumLanes(a1);
            float s2 = Simd.sumLanes(a2), s3 = Simd.sumLanes(a3);
            for (int i = wv; i < width; i++) {
                float xi = x[xOff + i];
                long off = (long) i * 4;
                s0 = Math.fma(xi, w.get(Weight.F32, b0 + off), s0);
                s1 = Math.fma(xi, w.get(Weight.F32, b1 + off), s1);
                s2 = Math.fma(xi, w.get(Weight.F32, b2 + off), s2);
                s3 = Math.fma(xi, w.get(Weight.F32, b3 + off), s3);
            }
            y[yOff + o - o0] = s0;
            y[yOff + o - o0 + 1] = s1;
            y[yOff + o - o0 + 2] = s2;
            y[yOff + o - o0 + 3] = s3;
        }
        for (; o < o1; o++) {
            long b = (long) o * rowBytes;
            FloatVector a = FloatVector.zero(F);
            for (int i = 0; i < wv; i += L) {
                a = FloatVector.fromMemorySegment(F, w, b + (long) i * 4, Simd.LE).fma(FloatVector.fromArray(F, x, xOff + i), a);
            }
            float s = Simd.sumLanes(a);
            for (int i = wv; i < width; i++) {
                s = Math.fma(x[xOff + i], w.get(Weight.F32, b + (long) i * 4), s);
            }
            y[yOff + o - o0] = s;
        }
    }

    /**
     * bf16 weights; x de-interleaved ({@link #deinterleave}) into {@code xs[eOff + j] = x[2j]},
     * {@code xs[oOff + j] = x[2j + 1]}; {@code x} itself is read only for an odd width's last element.
     * {@code lanes}: scratch of 8·L floats.
     */
    static void bf16(float[] xs, int eOff, int oOff, float[] x, int xOff, int width, MemorySegment w, int o0, int o1,
                     float[] y, int yOff, float[] lanes) {
        int np = width / 2;
        int npv = np - np % L;
        long rowBytes = (long) width * 2;
        int o = o0;
        for (; o + 8 <= o1; o += 8) {
            bf16Rows8(xs, eOff, oOff, w, (long) o * rowBytes, rowBytes, npv, y, yOff + o - o0, lanes);
            for (int k = 0; k < 8; k++) {
                long b = (long) (o + k) * rowBytes;
                y[yOff + o - o0 + k] = tail(y[yOff + o - o0 + k], xs, eOff, oOff, x, xOff, width, w, b, npv, false);
            }
        }
        for (; o + 4 <= o1; o += 4) {
            long b0 = (long) o * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            FloatVector d0 = FloatVector.zero(F), d1 = FloatVector.zero(F), d2 = FloatVector.zero(F), d3 = FloatVector.zero(F);
            for (int p = 0; p < npv; p += L) {
                FloatVector ev = FloatVector.fromArray(F, xs, eOff + p);
                FloatVector ov = FloatVector.fromArray(F, xs, oOff + p);
                long off = (long) p * 4;
                IntVector w0 = IntVector.fromMemorySegment(Simd.I, w, b0 + off, Simd.LE), w1 = IntVector.fromMemorySegment(Simd.I, w, b1 + off, Simd.LE);
                IntVector w2 = IntVector.fromMemorySegment(Simd.I, w, b2 + off, Simd.LE), w3 = IntVector.fromMemorySegment(Simd.I, w, b3 + off, Simd.LE);
                a0 = Simd.bf16Even(w0).fma(ev, a0);
                d0 = Simd.bf16Odd(w0).fma(ov, d0);
                a1 = Simd.bf16Even(w1).fma(ev, a1);
                d1 = Simd.bf16Odd(w1).fma(ov, d1);
                a2 = Simd.bf16Even(w2).fma(ev, a2);
                d2 = Simd.bf16Odd(w2).fma(ov, d2);
                a3 = Simd.bf16Even(w3).fma(ev, a3);
                d3 = Simd.bf16Odd(w3).fma(ov, d3);
            }
            y[yOff + o - o0] = tail(Simd.sumLanes(a0.add(d0)), xs, eOff, oOff, x, xOff, width, w, b0, npv, false);
            y[yOff + o - o0 + 1] = tail(Simd.sumLanes(a1.add(d1)), xs, eOff, oOff, x, xOff, width, w, b1, npv, false);
            y[yOff + o - o0 + 2] = tail(Simd.sumLanes(a2.add(d2)), xs, eOff, oOff, x, xOff, width, w, b2, npv, false);
            y[yOff + o - o0 + 3] = tail(Simd.sumLanes(a3.add(d3)), xs, eOff, oOff, x, xOff, width, w, b3, npv, false);
        }
        for (; o < o1; o++) {
            long b = (long) o * rowBytes;
            FloatVector a = FloatVector.zero(F), d = FloatVector.zero(F);
            for (int p = 0; p < npv; p += L) {
                IntVector wp = IntVector.fromMemorySegment(Simd.I, w, b + (long) p * 4, Simd.LE);
                a = Simd.bf16Even(wp).fma(FloatVector.fromArray(F, xs, eOff + p), a);
                d = Simd.bf16Odd(wp).fma(FloatVector.fromArray(F, xs, oOff + p), d);
            }
            y[yOff + o - o0] = tail(Simd.sumLanes(a.add(d)), xs, eOff, oOff, x, xOff, width, w, b, npv, false);
        }
    }

    /**
     * The vector part of eight rows of {@link #bf16} (W rows from byte {@code b0}, {@code rowBytes} apart,
     * pairs [0, npv)): {@code y[yAt + k]} = the lane sums of row k; the caller adds the tail pairs. Eight
     * rows share each x load. Its own method with the widening written out, so C2 compiles it whole.
     */
    private static void bf16Rows8(float[] xs, int eOff, int oOff, MemorySegment w, long b0, long rowBytes, int npv,
                                  float[] y, int yAt, float[] lanes) {
        long b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes, b4 = b3 + rowBytes, b5 = b4 + rowBytes, b6 = b5 + rowBytes, b7 = b6 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), d0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F), d1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), d2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), d3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), d4 = FloatVector.zero(F);
        FloatVector a5 = FloatVector.zero(F), d5 = FloatVector.zero(F);
        FloatVector a6 = FloatVector.zero(F), d6 = FloatVector.zero(F);
        FloatVector a7 = FloatVector.zero(F), d7 = FloatVector.zero(F);
        for (int p = 0; p < npv; p += L) {
            FloatVector ev = FloatVector.fromArray(F, xs, eOff + p);
            FloatVector ov = FloatVector.fromArray(F, xs, oOff + p);
            long off = (long) p * 4;
            IntVector w0 = IntVector.fromMemorySegment(Simd.I, w, b0 + off, Simd.LE);
            a0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a0);
            d0 = w0.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d0);
            IntVector w1 = IntVector.fromMemorySegment(Simd.I, w, b1 + off, Simd.LE);
            a1 = w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a1);
            d1 = w1.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d1);
            IntVector w2 = IntVector.fromMemorySegment(Simd.I, w, b2 + off, Simd.LE);
            a2 = w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a2);
            d2 = w2.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d2);
            IntVector w3 = IntVector.fromMemorySegment(Simd.I, w, b3 + off, Simd.LE);
            a3 = w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a3);
            d3 = w3.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d3);
            IntVector w4 = IntVector.fromMemorySegment(Simd.I, w, b4 + off, Simd.LE);
            a4 = w4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a4);
            d4 = w4.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d4);
            IntVector w5 = IntVector.fromMemorySegment(Simd.I, w, b5 + off, Simd.LE);
            a5 = w5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a5);
            d5 = w5.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d5);
            IntVector w6 = IntVector.fromMemorySegment(Simd.I, w, b6 + off, Simd.LE);
            a6 = w6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a6);
            d6 = w6.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d6);
            IntVector w7 = IntVector.fromMemorySegment(Simd.I, w, b7 + off, Simd.LE);
            a7 = w7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(ev, a7);
            d7 = w7.and(0xFFFF0000).reinterpretAsFloats().fma(ov, d7);
        }
        a0.add(d0).intoArray(lanes, 0);              // stored, then summed: eight sumLanes calls made the
        a1.add(d1).intoArray(lanes, L);              // method too large for C2 to inline them all, and the
        a2.add(d2).intoArray(lanes, 2 * L);          // ones it did not got boxed vectors
        a3.add(d3).intoArray(lanes, 3 * L);
        a4.add(d4).intoArray(lanes, 4 * L);
        a5.add(d5).intoArray(lanes, 5 * L);
        a6.add(d6).intoArray(lanes, 6 * L);
        a7.add(d7).intoArray(lanes, 7 * L);
        for (int k = 0; k < 8; k++) {
            y[yAt + k] = Simd.sumLanes(lanes, k * L);
        }
    }

    /**
     * f16 weights: each W row is copied into {@code s16} and widened into {@code f32} (scratch of
     * ≥ width elements each, see {@link MatvecKernels#f16} for why), then dotted with x.
     */
    static void f16(float[] x, int xOff, int width, MemorySegment w, int o0, int o1, float[] y, int yOff,
                    short[] s16, float[] f32) {
        int wv = width - width % L;
        for (int o = o0; o < o1; o++) {
            MemorySegment.copy(w, Weight.I16, (long) o * width * 2, s16, 0, width);
            Simd.widenF16(s16, f32, width);
            FloatVector a = FloatVector.zero(F);
            for (int i = 0; i < wv; i += L) {
                a = FloatVector.fromArray(F, f32, i).fma(FloatVector.fromArray(F, x, xOff + i), a);
            }
            float s = Simd.sumLanes(a);
            for (int i = wv; i < width; i++) {
                s = Math.fma(x[xOff + i], f32[i], s);
            }
            y[yOff + o - o0] = s;
        }
    }

    /** Adds the pairs from {@code from} on and an odd width's last element, scalar. */
    private static float tail(float s, float[] xs, int eOff, int oOff, float[] x, int xOff, int width, MemorySegment w,
                              long rowByte, int from, boolean f16) {
        for (int p = from; p < width / 2; p++) {
            s = Math.fma(xs[eOff + p], widen(w.get(Weight.I16, rowByte + (long) p * 4), f16), s);
            s = Math.fma(xs[oOff + p], widen(w.get(Weight.I16, rowByte + (long) p * 4 + 2), f16), s);
        }
        if ((width & 1) != 0) {
            s = Math.fma(x[xOff + width - 1], widen(w.get(Weight.I16, rowByte + (long) (width - 1) * 2), f16), s);
        }
        return s;
    }

    private static float widen(short bits, boolean f16) {
        return f16 ? Float.float16ToFloat(bits) : Simd.bf16(bits);
    }
}
