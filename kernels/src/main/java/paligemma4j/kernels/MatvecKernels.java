package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Matrix-vector product for one token (decode): {@code y[o] = Σ_i x[i] · W[i, o]} with W stored
 * {@code [in, out]} row-major in its checkpoint type. Saxpy form: the caller gives each core a
 * column range {@code [c0, c0 + n)}; the kernel streams four W rows at a time through that range
 * once (each weight byte is read exactly once, sequentially) and accumulates in {@code acc}.
 *
 * <p>bf16 weights are read as int pairs (see {@link Simd}), so their accumulators are kept
 * de-interleaved: {@code acc[accOff + p]} holds column {@code c0 + 2p} and
 * {@code acc[accOff + n/2 + p]} column {@code c0 + 2p + 1}; {@link #interleave} puts them back.
 * The bf16 kernel needs an even {@code n}; the caller handles an odd last column with
 * {@link #column}.
 */
final class MatvecKernels {

    /** W rows read together: amortises the accumulator loads and stores. */
    static final int ROWS_PER_PASS = 4;

    private MatvecKernels() {
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
        int i = 0;
        for (; i + ROWS_PER_PASS <= in; i += ROWS_PER_PASS) {
            FloatVector x0 = FloatVector.broadcast(F, x[xOff + i]), x1 = FloatVector.broadcast(F, x[xOff + i + 1]);
            FloatVector x2 = FloatVector.broadcast(F, x[xOff + i + 2]), x3 = FloatVector.broadcast(F, x[xOff + i + 3]);
            long b0 = ((long) i * out + c0) * 2, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
            for (int p = 0; p < npv; p += L) {
                long o = (long) p * 4;
                IntVector w0 = IntVector.fromMemorySegment(Simd.I, w, b0 + o, Simd.LE), w1 = IntVector.fromMemorySegment(Simd.I, w, b1 + o, Simd.LE);
                IntVector w2 = IntVector.fromMemorySegment(Simd.I, w, b2 + o, Simd.LE), w3 = IntVector.fromMemorySegment(Simd.I, w, b3 + o, Simd.LE);
                FloatVector e = FloatVector.fromArray(F, acc, even + p);
                FloatVector d = FloatVector.fromArray(F, acc, odd + p);
                e = Simd.bf16Even(w0).fma(x0, e);
                d = Simd.bf16Odd(w0).fma(x0, d);
                e = Simd.bf16Even(w1).fma(x1, e);
                d = Simd.bf16Odd(w1).fma(x1, d);
                e = Simd.bf16Even(w2).fma(x2, e);
                d = Simd.bf16Odd(w2).fma(x2, d);
                e = Simd.bf16Even(w3).fma(x3, e);
                d = Simd.bf16Odd(w3).fma(x3, d);
                e.intoArray(acc, even + p);
                d.intoArray(acc, odd + p);
            }
            for (int r = i; r < i + ROWS_PER_PASS; r++) {
                pairsTail(x[xOff + r], w, ((long) r * out + c0) * 2, npv, np, acc, even, odd, false);
            }
        }
        for (; i < in; i++) {
            FloatVector xs = FloatVector.broadcast(F, x[xOff + i]);
            long b = ((long) i * out + c0) * 2;
            for (int p = 0; p < npv; p += L) {
                IntVector wp = IntVector.fromMemorySegment(Simd.I, w, b + (long) p * 4, Simd.LE);
                FloatVector e = FloatVector.fromArray(F, acc, even + p);
                FloatVector d = FloatVector.fromArray(F, acc, odd + p);
                Simd.bf16Even(wp).fma(xs, e).intoArray(acc, even + p);
                Simd.bf16Odd(wp).fma(xs, d).intoArray(acc, odd + p);
            }
            pairsTail(x[xOff + i], w, b, npv, np, acc, even, odd, false);
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
