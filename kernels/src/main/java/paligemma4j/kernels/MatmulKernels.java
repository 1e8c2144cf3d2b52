package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Matrix-matrix product for many tokens (vision, prefill): {@code y = x · W (+ bias)} with x
 * {@code [rows, in]} float32 and W {@code [in, out]} in its checkpoint type. Goto/BLIS-style:
 * a block of W ({@link #KC} × {@code nc}) is widened to float32 once and packed into panels of
 * {@link #NR} columns (contiguous per k), which stay in L2; a register-tile micro-kernel then
 * computes {@link #MR} rows × {@link #NR} columns with {@code MR·NR/L} vector accumulators,
 * streaming the packed panel and broadcasting x. The same packed block serves every row block,
 * so each weight is widened once per (column block, row block) task.
 */
final class MatmulKernels {

    /** Rows per micro-tile: 6 rows × 2 vectors = 12 accumulators fit the 16 AVX2 registers. */
    static final int MR = 6;
    /** Columns per micro-tile and per packed panel: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed block: 256 × NR floats per panel stays in L1 next to the x rows. */
    static final int KC = 256;

    private MatmulKernels() {
    }

    /** Floats a packed block of {@code nc} columns needs. */
    static int packedSize(int nc) {
        return KC * ((nc + NR - 1) / NR) * NR;
    }

    /**
     * One task: {@code y[r·yStride + yOff + o]} for r in [m0, m1), o in [n0, n1), over the whole
     * depth {@code in}. {@code packed} is scratch of at least {@link #packedSize}(n1 − n0) floats.
     */
    static void block(float[] x, int in, MemorySegment w, WeightType type, int out, float[] bias, int biasOff,
                      float[] y, int yOff, int yStride, int m0, int m1, int n0, int n1, float[] packed) {
        int nc = n1 - n0;
        int panels = (nc + NR - 1) / NR;
        for (int k0 = 0; k0 < in; k0 += KC) {
            int kc = Math.min(KC, in - k0);
            switch (type) {
                case F32 -> packF32(w, out, k0, kc, n0, nc, packed);
                case BF16 -> pack16(w, out, k0, kc, n0, nc, packed, false);
                case F16 -> pack16(w, out, k0, kc, n0, nc, packed, true);
            }
            boolean accumulate = k0 > 0;
            float[] lastBias = k0 + kc >= in ? bias : null;   // bias after the whole sum, as Flax Dense
            int r = m0;
            for (; r + MR <= m1; r += MR) {
                for (int j = 0; j < panels; j++) {
                    int n = n0 + j * NR;
                    kernel6(x, r * in + k0, in, packed, j * kc * NR, kc, y, r * yStride + yOff + n, yStride,
                            Math.min(NR, n1 - n), accumulate, lastBias, biasOff + n);
                }
            }
            for (; r < m1; r++) {
                for (int j = 0; j < panels; j++) {
                    int n = n0 + j * NR;
                    kernel1(x, r * in + k0, packed, j * kc * NR, kc, y, r * yStride + yOff + n,
                            Math.min(NR, n1 - n), accumulate, lastBias, biasOff + n);
                }
            }
        }
    }

    /** Packs f32 {@code W[k0 .. k0+kc, n0 .. n0+nc)} as panels {@code packed[(j·kc + k)·NR + c]}, zero-padded. */
    static void packF32(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed) {
        int panels = (nc + NR - 1) / NR;
        for (int j = 0; j < panels; j++) {
            int n = n0 + j * NR;
            int valid = Math.min(NR, n0 + nc - n);
            int dst = j * kc * NR;
            for (int k = 0; k < kc; k++, dst += NR) {
                long src = ((long) (k0 + k) * out + n) * 4;
                if (valid == NR) {
                    Simd.loadF32(w, src).intoArray(packed, dst);
                    Simd.loadF32(w, src + 4L * L).intoArray(packed, dst + L);
                } else {
                    for (int c = 0; c < NR; c++) {
                        packed[dst + c] = c < valid ? w.get(Weight.F32, src + 4L * c) : 0f;
                    }
                }
            }
        }
    }

    /** As {@link #packF32} for bf16 ({@code f16 == false}) or f16 weights, widened in registers. */
    static void pack16(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed, boolean f16) {
        int panels = (nc + NR - 1) / NR;
        for (int j = 0; j < panels; j++) {
            int n = n0 + j * NR;
            int valid = Math.min(NR, n0 + nc - n);
            int dst = j * kc * NR;
            for (int k = 0; k < kc; k++, dst += NR) {
                long src = ((long) (k0 + k) * out + n) * 2;
                if (valid == NR) {
                    (f16 ? Simd.loadF16(w, src) : Simd.loadBf16(w, src)).intoArray(packed, dst);
                    (f16 ? Simd.loadF16(w, src + 2L * L) : Simd.loadBf16(w, src + 2L * L)).intoArray(packed, dst + L);
                } else {
                    for (int c = 0; c < NR; c++) {
                        short bits = c < valid ? w.get(Weight.I16, src + 2L * c) : 0;
                        packed[dst + c] = f16 ? Float.float16ToFloat(bits) : Simd.bf16(bits);
                    }
                }
            }
        }
    }

    /**
     * The 6 × NR micro-kernel: {@code c[i·ldc + cOff + col] (+)= Σ_k a[aOff + i·lda + k] · p[pOff + k·NR + col]}
     * for i < 6, col < nValid; the bias, when given (last depth block only), is added after the sum.
     */
    static void kernel6(float[] a, int aOff, int lda, float[] p, int pOff, int kc,
                        float[] c, int cOff, int ldc, int nValid, boolean accumulate, float[] bias, int biasOff) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, p, pk);
            FloatVector b1 = FloatVector.fromArray(F, p, pk + L);
            FloatVector s = FloatVector.broadcast(F, a[a0 + k]);
            c00 = b0.fma(s, c00);
            c01 = b1.fma(s, c01);
            s = FloatVector.broadcast(F, a[a1 + k]);
            c10 = b0.fma(s, c10);
            c11 = b1.fma(s, c11);
            s = FloatVector.broadcast(F, a[a2 + k]);
            c20 = b0.fma(s, c20);
            c21 = b1.fma(s, c21);
            s = FloatVector.broadcast(F, a[a3 + k]);
            c30 = b0.fma(s, c30);
            c31 = b1.fma(s, c31);
            s = FloatVector.broadcast(F, a[a4 + k]);
            c40 = b0.fma(s, c40);
            c41 = b1.fma(s, c41);
            s = FloatVector.broadcast(F, a[a5 + k]);
            c50 = b0.fma(s, c50);
            c51 = b1.fma(s, c51);
        }
        store(c00, c01, c, cOff, nValid, accumulate, bias, biasOff);
        store(c10, c11, c, cOff + ldc, nValid, accumulate, bias, biasOff);
        store(c20, c21, c, cOff + 2 * ldc, nValid, accumulate, bias, biasOff);
        store(c30, c31, c, cOff + 3 * ldc, nValid, accumulate, bias, biasOff);
        store(c40, c41, c, cOff + 4 * ldc, nValid, accumulate, bias, biasOff);
        store(c50, c51, c, cOff + 5 * ldc, nValid, accumulate, bias, biasOff);
    }

    /** The 1 × NR micro-kernel for the rows left over after the 6-row tiles. */
    static void kernel1(float[] a, int aOff, float[] p, int pOff, int kc,
                        float[] c, int cOff, int nValid, boolean accumulate, float[] bias, int biasOff) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            FloatVector s = FloatVector.broadcast(F, a[aOff + k]);
            c0 = FloatVector.fromArray(F, p, pk).fma(s, c0);
            c1 = FloatVector.fromArray(F, p, pk + L).fma(s, c1);
        }
        store(c0, c1, c, cOff, nValid, accumulate, bias, biasOff);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int off, int nValid,
                              boolean accumulate, float[] bias, int biasOff) {
        if (nValid == NR) {
            if (accumulate) {
                v0 = v0.add(FloatVector.fromArray(F, c, off));
                v1 = v1.add(FloatVector.fromArray(F, c, off + L));
            }
            if (bias != null) {
                v0 = v0.add(FloatVector.fromArray(F, bias, biasOff));
                v1 = v1.add(FloatVector.fromArray(F, bias, biasOff + L));
            }
            v0.intoArray(c, off);
            v1.intoArray(c, off + L);
        } else {
            VectorMask<Float> m0 = F.indexInRange(0, nValid), m1 = F.indexInRange(L, nValid);
            if (accumulate) {
                v0 = v0.add(FloatVector.fromArray(F, c, off, m0));
                v1 = v1.add(FloatVector.fromArray(F, c, off + L, m1));
            }
            if (bias != null) {
                v0 = v0.add(FloatVector.fromArray(F, bias, biasOff, m0));
                v1 = v1.add(FloatVector.fromArray(F, bias, biasOff + L, m1));
            }
            v0.intoArray(c, off, m0);
            v1.intoArray(c, off + L, m1);
        }
    }
}
