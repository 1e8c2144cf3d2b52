package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

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
    /** W rows packed together: each panel then gets PACK_ROWS · NR contiguous floats per visit. */
    static final int PACK_ROWS = 8;

    private MatmulKernels() {
    }

    /** Floats a packed block of {@code nc} columns needs. */
    static int packedSize(int nc) {
        return KC * ((nc + NR - 1) / NR) * NR;
    }

    /**
     * One task: {@code y[r·yStride + yOff + o]} for r in [m0, m1), o in [n0, n1), over the whole
     * depth {@code in}. {@code packed} is scratch of at least {@link #packedSize}(n1 − n0) floats,
     * {@code tile} of MR·NR (the micro-kernel's output, so it keeps its accumulators in registers);
     * {@code s16}/{@code f32} (f16 weights only) of at least n1 − n0 elements.
     */
    static void block(float[] x, int in, MemorySegment w, WeightType type, int out, float[] bias, int biasOff,
                      float[] y, int yOff, int yStride, int m0, int m1, int n0, int n1, float[] packed,
                      float[] tile, short[] s16, float[] f32) {
        int nc = n1 - n0;
        int panels = (nc + NR - 1) / NR;
        boolean permuted = type == WeightType.BF16;
        for (int k0 = 0; k0 < in; k0 += KC) {
            int kc = Math.min(KC, in - k0);
            switch (type) {
                case F32 -> packF32(w, out, k0, kc, n0, nc, packed);
                case BF16 -> packBf16(w, out, k0, kc, n0, nc, packed);
                case F16 -> packF16(w, out, k0, kc, n0, nc, packed, s16, f32);
            }
            boolean accumulate = k0 > 0;
            float[] lastBias = k0 + kc >= in ? bias : null;   // bias after the whole sum, as Flax Dense
            int tiled = m0 + (m1 - m0) / MR * MR;
            for (int r = m0; r < tiled; r += MR) {          // one 6-row tile of x (L1) ...
                for (int j = 0; j < panels; j++) {           // ... against every packed panel (L2)
                    int n = n0 + j * NR;
                    kernel6(x, r * in + k0, in, packed, j * kc * NR, kc, tile);
                    merge(tile, MR, y, r * yStride + yOff + n, yStride, Math.min(NR, n1 - n), accumulate, lastBias, biasOff + n, permuted);
                }
            }
            for (int r = tiled; r < m1; r++) {
                for (int j = 0; j < panels; j++) {
                    int n = n0 + j * NR;
                    kernel1(x, r * in + k0, packed, j * kc * NR, kc, tile);
                    merge(tile, 1, y, r * yStride + yOff + n, yStride, Math.min(NR, n1 - n), accumulate, lastBias, biasOff + n, permuted);
                }
            }
        }
    }

    /** Packs f32 {@code W[k0 .. k0+kc, n0 .. n0+nc)} as panels {@code packed[(j·kc + k)·NR + c]}, zero-padded. */
    static void packF32(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed) {
        int panels = (nc + NR - 1) / NR;
        for (int kb = 0; kb < kc; kb += PACK_ROWS) {    // a few W rows at a time: short sequential reads and
            int ke = Math.min(kc, kb + PACK_ROWS);      // writes (one row across all panels would write at a
            for (int j = 0; j < panels; j++) {          // 4 KiB-aliasing stride)
                int valid = Math.min(NR, nc - j * NR);
                for (int k = kb; k < ke; k++) {
                    int dst = (j * kc + k) * NR;
                    long src = ((long) (k0 + k) * out + n0 + j * NR) * 4;
                    if (valid == NR) {
                        FloatVector.fromMemorySegment(F, w, src, Simd.LE).intoArray(packed, dst);
                        FloatVector.fromMemorySegment(F, w, src + 4L * L, Simd.LE).intoArray(packed, dst + L);
                    } else {
                        for (int c = 0; c < NR; c++) {
                            packed[dst + c] = c < valid ? w.get(Weight.F32, src + 4L * c) : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * As {@link #packF32} for f16 weights: each W row segment is copied to {@code s16} and widened
     * to {@code f32} (scratch of ≥ nc elements each; see {@link MatvecKernels#f16}), then scattered into the panels.
     */
    static void packF16(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed, short[] s16, float[] f32) {
        int panels = (nc + NR - 1) / NR;
        for (int k = 0; k < kc; k++) {
            MemorySegment.copy(w, Weight.I16, ((long) (k0 + k) * out + n0) * 2, s16, 0, nc);
            Simd.widenF16(s16, f32, nc);
            for (int j = 0; j < panels; j++) {
                int dst = (j * kc + k) * NR;
                int valid = Math.min(NR, nc - j * NR);
                if (valid == NR) {
                    System.arraycopy(f32, j * NR, packed, dst, NR);
                } else {
                    for (int c = 0; c < NR; c++) {
                        packed[dst + c] = c < valid ? f32[j * NR + c] : 0f;
                    }
                }
            }
        }
    }

    /**
     * As {@link #packF32} for bf16 weights, widened in registers with the int-pair split (see
     * {@link Simd}), so each full panel is stored column-permuted: its first L floats per k hold
     * the even columns, the next L the odd ones ({@link #merge} with {@code permuted} undoes it).
     * A partial last panel is packed in plain order.
     */
    static void packBf16(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed) {
        int panels = (nc + NR - 1) / NR;
        for (int kb = 0; kb < kc; kb += PACK_ROWS) {    // a few W rows at a time: short sequential reads and
            int ke = Math.min(kc, kb + PACK_ROWS);      // writes (one row across all panels would write at a
            for (int j = 0; j < panels; j++) {          // 4 KiB-aliasing stride)
                int valid = Math.min(NR, nc - j * NR);
                for (int k = kb; k < ke; k++) {
                    int dst = (j * kc + k) * NR;
                    long src = ((long) (k0 + k) * out + n0 + j * NR) * 2;
                    if (valid == NR) {
                        IntVector pairs = IntVector.fromMemorySegment(Simd.I, w, src, Simd.LE);
                        Simd.bf16Even(pairs).intoArray(packed, dst);
                        Simd.bf16Odd(pairs).intoArray(packed, dst + L);
                    } else {
                        for (int c = 0; c < NR; c++) {
                            packed[dst + c] = Simd.bf16(c < valid ? w.get(Weight.I16, src + 2L * c) : 0);
                        }
                    }
                }
            }
        }
    }

    /**
     * The 6 × NR micro-kernel: {@code tile[i·NR + col] = Σ_k a[aOff + i·lda + k] · p[pOff + k·NR + col]}
     * for i < 6, col < NR (kept minimal so C2 keeps the 12 accumulators in registers; {@link #merge}
     * does the rest).
     */
    static void kernel6(float[] a, int aOff, int lda, float[] p, int pOff, int kc, float[] tile) {
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
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /** The 1 × NR micro-kernel for the rows left over after the 6-row tiles: {@code tile[col]}. */
    static void kernel1(float[] a, int aOff, float[] p, int pOff, int kc, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            FloatVector s = FloatVector.broadcast(F, a[aOff + k]);
            c0 = FloatVector.fromArray(F, p, pk).fma(s, c0);
            c1 = FloatVector.fromArray(F, p, pk + L).fma(s, c1);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
    }

    /**
     * {@code c[i·ldc + cOff + col] = tile[i·NR + col] (+ c[…] when accumulating) (+ bias[biasOff + col])}
     * for i < rows, col < nValid; {@code permuted}: full tiles hold even columns then odd ones ({@link #packBf16}).
     */
    static void merge(float[] tile, int rows, float[] c, int cOff, int ldc, int nValid, boolean accumulate,
                      float[] bias, int biasOff, boolean permuted) {
        for (int i = 0; i < rows; i++) {
            int off = cOff + i * ldc;
            if (permuted && nValid == NR) {
                for (int col = 0; col < NR; col++) {
                    float t = tile[i * NR + (col & 1) * L + (col >> 1)];
                    if (accumulate) {
                        t += c[off + col];
                    }
                    if (bias != null) {
                        t += bias[biasOff + col];
                    }
                    c[off + col] = t;
                }
            } else if (nValid == NR) {
                for (int v = 0; v < NR; v += L) {
                    FloatVector t = FloatVector.fromArray(F, tile, i * NR + v);
                    if (accumulate) {
                        t = t.add(FloatVector.fromArray(F, c, off + v));
                    }
                    if (bias != null) {
                        t = t.add(FloatVector.fromArray(F, bias, biasOff + v));
                    }
                    t.intoArray(c, off + v);
                }
            } else {
                for (int col = 0; col < nValid; col++) {
                    float t = tile[i * NR + col];
                    if (accumulate) {
                        t += c[off + col];
                    }
                    if (bias != null) {
                        t += bias[biasOff + col];
                    }
                    c[off + col] = t;
                }
            }
        }
    }
}
