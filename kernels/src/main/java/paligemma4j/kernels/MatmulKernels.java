package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-matrix product for many tokens (vision, prefill): {@code y = x · W (+ bias)} with x
 * {@code [rows, in]} float32 and W {@code [in, out]} in its checkpoint type, stored input-first or output-first
 * ({@code [out, in]}; the packed panels are the same floats either way, so the products are too). Goto/BLIS-style:
 * a block of W ({@link #KC} × {@code nc}) is widened to float32 once and packed into panels of
 * {@link #NR} columns (contiguous per k), which stay in L2; a register-tile micro-kernel then
 * computes {@link #MR} rows × {@link #NR} columns with {@code MR·NR/L} vector accumulators,
 * streaming the packed panel and broadcasting x, itself packed once per call by MR-row tiles
 * ({@link #packRows}). The same packed block serves every row tile of the task, so each weight is
 * widened once per (column block, row block) task.
 *
 * <p>The micro-tile follows the register file: 4 × 2 vectors (8 accumulators) for AVX2's 16
 * registers, 12 × 2 vectors (24 accumulators) for AVX-512's 32 (docs/performance.md#kernel-design-measurements,
 * docs/performance.md#the-gemm-with-8-lane-vectors-avx2).
 *
 * <p>These are the hot inner loops: arrays, offsets and sizes go in as plain parameters, not records, so a
 * call allocates and dereferences nothing beyond its data (hence the long parameter lists).
 */
final class MatmulKernels {

    /**
     * The widest vectors the JVM offers (512-bit with AVX-512 enabled: {@code -XX:UseAVX=3}, which
     * the launcher sets on CPUs that have it), as every kernel ({@link Simd#F}): the compute-bound
     * micro-kernel gains 1.5× from 16 lanes.
     */
    static final VectorSpecies<Float> F = Simd.F;
    /** Float lanes per vector. */
    static final int L = F.length();
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final VectorSpecies<Short> S16 = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));

    /** Rows per micro-tile: 12 with 16-lane vectors (AVX-512, 32 registers), else 4 (AVX2, 16 registers). */
    static final int MR = L >= 16 ? 12 : 4;

    /** Columns per micro-tile and per packed panel: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed block: 256 × NR floats per panel stays in L1 next to the x rows. */
    static final int KC = 256;
    /** W rows packed together: each panel then gets PACK_ROWS · NR contiguous floats per visit. */
    static final int PACK_ROWS = 8;

    private MatmulKernels() {
    }

    /** Floats the {@code tile} scratch of {@link #block} needs. */
    static int tileSize() {
        return MR * NR;
    }

    /** Floats a packed block of {@code nc} columns needs. */
    static int packedSize(int nc) {
        return KC * ((nc + NR - 1) / NR) * NR;
    }

    /** Elements of {@link #block}'s {@code s16}/{@code f32} scratch for {@code nc} columns. */
    static int widenedSize(int nc) {
        return Math.max(nc, NR * KC);
    }

    /** Floats {@link #packRows} needs for {@code rows} rows of depth {@code in}: whole MR-row tiles. */
    static int packedRowsSize(int rows, int in) {
        return (rows + MR - 1) / MR * MR * in;
    }

    /**
     * Packs x {@code [rows, in]} by MR-row tiles {@code t} in [t0, t1): {@code ap[(t·in + k)·MR + i] =
     * x[(t·MR + i)·in + k]}, zero for the padding rows past {@code rows}. The micro-kernel then reads
     * the MR values of one k from one cache line instead of MR rows at an {@code in}-float stride (a
     * power-of-two stride such as 2048 floats puts all MR rows in one L1 set, more than its 8 ways).
     */
    static void packRows(float[] x, int rows, int in, float[] ap, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            int base = t * in * MR;
            for (int i = 0; i < MR; i++) {
                int r = t * MR + i;
                if (r >= rows) {
                    for (int k = 0; k < in; k++) {
                        ap[base + k * MR + i] = 0f;
                    }
                    continue;
                }
                int src = r * in;
                for (int k = 0; k < in; k++) {
                    ap[base + k * MR + i] = x[src + k];
                }
            }
        }
    }

    /**
     * One task: {@code y[r·yStride + yOff + o]} for r in [m0, m1), o in [n0, n1), over the whole
     * depth {@code in}, with x packed by {@link #packRows} ({@code m0} a multiple of MR).
     * {@code packed} is scratch of at least {@link #packedSize}(n1 − n0) floats, {@code tile} of
     * {@link #tileSize} (the micro-kernel's output, so it keeps its accumulators in registers);
     * {@code s16}/{@code f32} (f16 weights; every output-first weight) of at least {@link #widenedSize}(n1 − n0)
     * elements.
     */
    static void block(float[] ap, int in, MemorySegment w, WeightType type, boolean outputFirst, int out, float[] bias,
                      int biasOff, float[] y, int yOff, int yStride, int m0, int m1, int n0, int n1, float[] packed,
                      float[] tile, short[] s16, float[] f32) {
        int nc = n1 - n0;
        int panels = (nc + NR - 1) / NR;
        for (int k0 = 0; k0 < in; k0 += KC) {
            int kc = Math.min(KC, in - k0);
            if (outputFirst) {
                packOutputFirst(w, type, in, k0, kc, n0, nc, packed, s16, f32);
            } else switch (type) {
                case F32 -> packF32(w, out, k0, kc, n0, nc, packed);
                case BF16 -> packBf16(w, out, k0, kc, n0, nc, packed);
                case F16 -> packF16(w, out, k0, kc, n0, nc, packed, s16, f32);
                case Q8_0 -> packQ8(w, out, k0, kc, n0, nc, packed);
            }
            boolean accumulate = k0 > 0;
            float[] lastBias = k0 + kc >= in ? bias : null;   // bias after the whole sum, as Flax Dense
            for (int r = m0; r < m1; r += MR) {              // one MR-row tile of x (L1) ...
                int aOff = (r * in + k0 * MR);                // tile r / MR starts at (r / MR)·in·MR = r·in
                int valid = Math.min(MR, m1 - r);
                for (int j = 0; j < panels; j++) {           // ... against every packed panel (L2)
                    int n = n0 + j * NR;
                    kernel(ap, aOff, packed, j * kc * NR, kc, tile);
                    merge(tile, valid, y, r * yStride + yOff + n, yStride, Math.min(NR, n1 - n), accumulate, lastBias, biasOff + n);
                }
            }
        }
    }

    /** Packs f32 {@code W[k0 .. k0+kc, n0 .. n0+nc)} as panels {@code packed[(j·kc + k)·NR + c]}, zero-padded. */
    static void packF32(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed) {
        int full = nc / NR;
        for (int kb = 0; kb < kc; kb += PACK_ROWS) {    // a few W rows at a time: short sequential reads and
            int ke = Math.min(kc, kb + PACK_ROWS);      // writes (one row across all panels would write at a
            for (int j = 0; j < full; j++) {            // 4 KiB-aliasing stride)
                for (int k = kb; k < ke; k++) {
                    int dst = (j * kc + k) * NR;
                    long src = ((long) (k0 + k) * out + n0 + j * NR) * 4;
                    FloatVector.fromMemorySegment(F, w, src, Simd.LE).intoArray(packed, dst);
                    FloatVector.fromMemorySegment(F, w, src + 4L * L, Simd.LE).intoArray(packed, dst + L);
                }
            }
        }
        if (full * NR < nc) {
            packPartial(w, WeightType.F32, out, k0, kc, n0, nc, packed);
        }
    }

    /**
     * The last, partial panel of a block ({@code nc} not a multiple of NR), element by element and
     * zero-padded. Kept out of the vector loops: a scalar branch inside them, taken once per call,
     * doubled the whole matmul's time at 4304 columns (C2 compiled the loops worse with it).
     */
    private static void packPartial(MemorySegment w, WeightType type, int out, int k0, int kc, int n0, int nc,
                                    float[] packed) {
        int j = nc / NR, valid = nc - j * NR;
        for (int k = 0; k < kc; k++) {
            int dst = (j * kc + k) * NR;
            long e = (long) (k0 + k) * out + n0 + j * NR;
            for (int c = 0; c < NR; c++) {
                packed[dst + c] = c >= valid ? 0f : switch (type) {
                    case F32 -> w.get(Weight.F32, (e + c) * 4);
                    case BF16 -> Simd.bf16(w.get(Weight.I16, (e + c) * 2));
                    case F16 -> Float.float16ToFloat(w.get(Weight.I16, (e + c) * 2));
                    case Q8_0 -> Q8.get(w, out, k0 + k, (int) (e - (long) (k0 + k) * out) + c);
                };
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
     * As {@link #packF32} for bf16 weights: each row segment is loaded as shorts, sign-extended to
     * ints ({@code S2I}, one {@code vpmovsxwd}) and shifted into the float's high half, so the panels
     * hold plain column order. A partial last panel goes through {@link #packPartial}.
     */
    static void packBf16(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed) {
        int full = nc / NR;
        for (int kb = 0; kb < kc; kb += PACK_ROWS) {    // a few W rows at a time: short sequential reads and
            int ke = Math.min(kc, kb + PACK_ROWS);      // writes (one row across all panels would write at a
            for (int j = 0; j < full; j++) {            // 4 KiB-aliasing stride)
                for (int k = kb; k < ke; k++) {
                    int dst = (j * kc + k) * NR;
                    long src = ((long) (k0 + k) * out + n0 + j * NR) * 2;
                    bf16At(w, src).intoArray(packed, dst);
                    bf16At(w, src + 2L * L).intoArray(packed, dst + L);
                }
            }
        }
        if (full * NR < nc) {
            packPartial(w, WeightType.BF16, out, k0, kc, n0, nc, packed);
        }
    }

    /**
     * As {@link #packF32} for Q8_0 weights ({@link Q8}; {@code n0} a multiple of its block): each
     * vector of L int8 values lies in one block and is widened ({@code B2F}) and multiplied by
     * that block's float16 scale, {@code d · q} exactly as {@link Q8#get} (the product of an
     * 11-bit scale and a 7-bit integer is exact in float32).
     */
    static void packQ8(MemorySegment w, int out, int k0, int kc, int n0, int nc, float[] packed) {
        int full = nc / NR;
        long rowBytes = Q8.rowBytes(out), valuesAt = 2L * Q8.blocks(out);
        for (int kb = 0; kb < kc; kb += PACK_ROWS) {
            int ke = Math.min(kc, kb + PACK_ROWS);
            for (int j = 0; j < full; j++) {
                int c = n0 + j * NR;
                for (int k = kb; k < ke; k++) {
                    int dst = (j * kc + k) * NR;
                    long row = (k0 + k) * rowBytes;
                    float d0 = Float.float16ToFloat(w.get(Weight.I16, row + 2L * (c / Q8.BLOCK)));
                    float d1 = Float.float16ToFloat(w.get(Weight.I16, row + 2L * ((c + L) / Q8.BLOCK)));
                    Q8Kernels.widen(w, row + valuesAt + c).mul(d0).intoArray(packed, dst);
                    Q8Kernels.widen(w, row + valuesAt + c + L).mul(d1).intoArray(packed, dst + L);
                }
            }
        }
        if (full * NR < nc) {
            packPartial(w, WeightType.Q8_0, out, k0, kc, n0, nc, packed);
        }
    }

    /**
     * As {@link #packF32} for an output-first W {@code [out, in]} of any type: output {@code n0 + c}'s run of the
     * reduction, {@code W[n0 + c, k0 .. k0+kc)}, is contiguous. Per panel, the NR runs are widened a vector at a time
     * into {@code runs} (scratch of ≥ {@link #widenedSize}; 16 bits go through {@code s16}), run c from {@code c·kc},
     * zeros past the last output; then each k's NR values are gathered across the runs ({@code indexMap} lane·kc)
     * and stored as one row of the panel. The floats equal those the input-first packs make of the same values.
     */
    static void packOutputFirst(MemorySegment w, WeightType type, int in, int k0, int kc, int n0, int nc,
                                float[] packed, short[] s16, float[] runs) {
        int panels = (nc + NR - 1) / NR;
        long rowBytes = type.rowBytes(in);
        int[] lanes = new int[L];
        for (int i = 0; i < L; i++) lanes[i] = i * kc;
        for (int j = 0; j < panels; j++) {
            for (int c = 0; c < NR; c++) {
                int n = j * NR + c, at = c * kc;
                if (n >= nc) {
                    java.util.Arrays.fill(runs, at, at + kc, 0f);
                    continue;
                }
                long row = (n0 + n) * rowBytes;
                switch (type) {
                    case F32 -> MemorySegment.copy(w, Weight.F32, row + 4L * k0, runs, at, kc);
                    case BF16 -> {
                        int v = kc - kc % L;
                        for (int k = 0; k < v; k += L) bf16At(w, row + 2L * (k0 + k)).intoArray(runs, at + k);
                        for (int k = v; k < kc; k++) runs[at + k] = Simd.bf16(w.get(Weight.I16, row + 2L * (k0 + k)));
                    }
                    case F16 -> {
                        MemorySegment.copy(w, Weight.I16, row + 2L * k0, s16, 0, kc);
                        for (int k = 0; k < kc; k++) runs[at + k] = Float.float16ToFloat(s16[k]);   // as Simd.widenF16
                    }
                    case Q8_0 -> widenQ8Run(w, row, in, k0, kc, runs, at);
                }
            }
            int dst = j * kc * NR, second = L * kc;
            for (int k = 0; k < kc; k++) {
                FloatVector.fromArray(F, runs, k, lanes, 0).intoArray(packed, dst + k * NR);
                FloatVector.fromArray(F, runs, second + k, lanes, 0).intoArray(packed, dst + k * NR + L);
            }
        }
    }

    /**
     * Elements {@code [k0, k0 + kc)} of one Q8_0 row of {@code in} ({@code k0} a multiple of its block) as
     * {@code d · q} into {@code run} from {@code at}, exactly as {@link Q8#get}: whole blocks a vector at a time, a
     * short last block element by element.
     */
    private static void widenQ8Run(MemorySegment w, long row, int in, int k0, int kc, float[] run, int at) {
        long values = row + 2L * Q8.blocks(in);
        int k = 0;
        for (; k + Q8.BLOCK <= kc && Q8.BLOCK % L == 0; k += Q8.BLOCK) {
            float d = Float.float16ToFloat(w.get(Weight.I16, row + 2L * ((k0 + k) / Q8.BLOCK)));
            for (int e = 0; e < Q8.BLOCK; e += L) Q8Kernels.widen(w, values + k0 + k + e).mul(d).intoArray(run, at + k + e);
        }
        for (; k < kc; k++) {
            float d = Float.float16ToFloat(w.get(Weight.I16, row + 2L * ((k0 + k) / Q8.BLOCK)));
            run[at + k] = d * w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, values + k0 + k);
        }
    }

    /** L bf16 values at byte {@code at}, widened to float32 in order. */
    private static FloatVector bf16At(MemorySegment w, long at) {
        ShortVector v = ShortVector.fromMemorySegment(S16, w, at, Simd.LE);
        return ((IntVector) v.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /**
     * The MR × NR micro-kernel of this vector width: {@code tile[i·NR + col] = Σ_k a[aOff + k·MR + i] ·
     * p[pOff + k·NR + col]} for i < MR, col < NR, each sum in k order ({@link #kernel12} or {@link #kernel4}).
     */
    static void kernel(float[] a, int aOff, float[] p, int pOff, int kc, float[] tile) {
        if (MR == 12) {
            kernel12(a, aOff, p, pOff, kc, tile);
        } else {
            kernel4(a, aOff, p, pOff, kc, tile);
        }
    }

    /**
     * The 4 × NR micro-kernel: {@code tile[i·NR + col] = Σ_k a[aOff + k·4 + i] · p[pOff + k·NR + col]}
     * for i < 4, col < NR (8 accumulators, two panel vectors and a broadcast: C2 keeps them all in AVX2's 16
     * registers, where a 6-row tile's 12 accumulators ran at under half the FMA rate; {@link #merge} does the rest).
     */
    static void kernel4(float[] a, int aOff, float[] p, int pOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            int ak = aOff + k * 4;
            FloatVector b0 = FloatVector.fromArray(F, p, pk);
            FloatVector b1 = FloatVector.fromArray(F, p, pk + L);
            FloatVector s = FloatVector.broadcast(F, a[ak]);
            c00 = b0.fma(s, c00);
            c01 = b1.fma(s, c01);
            s = FloatVector.broadcast(F, a[ak + 1]);
            c10 = b0.fma(s, c10);
            c11 = b1.fma(s, c11);
            s = FloatVector.broadcast(F, a[ak + 2]);
            c20 = b0.fma(s, c20);
            c21 = b1.fma(s, c21);
            s = FloatVector.broadcast(F, a[ak + 3]);
            c30 = b0.fma(s, c30);
            c31 = b1.fma(s, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /** The 12 × NR micro-kernel for 16-lane vectors (24 accumulators of 32 registers), as {@link #kernel4}. */
    static void kernel12(float[] a, int aOff, float[] p, int pOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        FloatVector c80 = FloatVector.zero(F), c81 = FloatVector.zero(F);
        FloatVector c90 = FloatVector.zero(F), c91 = FloatVector.zero(F);
        FloatVector ca0 = FloatVector.zero(F), ca1 = FloatVector.zero(F);
        FloatVector cb0 = FloatVector.zero(F), cb1 = FloatVector.zero(F);
        int k = 0;
        for (; k + 2 <= kc; k += 2) {                   // two k per iteration: fewer loop and address uops
            int pk = pOff + k * NR;
            int ak = aOff + k * 12;
            FloatVector b0, b1, s;
            b0 = FloatVector.fromArray(F, p, pk);
            b1 = FloatVector.fromArray(F, p, pk + L);
            s = FloatVector.broadcast(F, a[ak]);
            c00 = b0.fma(s, c00);
            c01 = b1.fma(s, c01);
            s = FloatVector.broadcast(F, a[ak + 1]);
            c10 = b0.fma(s, c10);
            c11 = b1.fma(s, c11);
            s = FloatVector.broadcast(F, a[ak + 2]);
            c20 = b0.fma(s, c20);
            c21 = b1.fma(s, c21);
            s = FloatVector.broadcast(F, a[ak + 3]);
            c30 = b0.fma(s, c30);
            c31 = b1.fma(s, c31);
            s = FloatVector.broadcast(F, a[ak + 4]);
            c40 = b0.fma(s, c40);
            c41 = b1.fma(s, c41);
            s = FloatVector.broadcast(F, a[ak + 5]);
            c50 = b0.fma(s, c50);
            c51 = b1.fma(s, c51);
            s = FloatVector.broadcast(F, a[ak + 6]);
            c60 = b0.fma(s, c60);
            c61 = b1.fma(s, c61);
            s = FloatVector.broadcast(F, a[ak + 7]);
            c70 = b0.fma(s, c70);
            c71 = b1.fma(s, c71);
            s = FloatVector.broadcast(F, a[ak + 8]);
            c80 = b0.fma(s, c80);
            c81 = b1.fma(s, c81);
            s = FloatVector.broadcast(F, a[ak + 9]);
            c90 = b0.fma(s, c90);
            c91 = b1.fma(s, c91);
            s = FloatVector.broadcast(F, a[ak + 10]);
            ca0 = b0.fma(s, ca0);
            ca1 = b1.fma(s, ca1);
            s = FloatVector.broadcast(F, a[ak + 11]);
            cb0 = b0.fma(s, cb0);
            cb1 = b1.fma(s, cb1);
            b0 = FloatVector.fromArray(F, p, (pk + NR));
            b1 = FloatVector.fromArray(F, p, (pk + NR) + L);
            s = FloatVector.broadcast(F, a[ak + 12]);
            c00 = b0.fma(s, c00);
            c01 = b1.fma(s, c01);
            s = FloatVector.broadcast(F, a[ak + 13]);
            c10 = b0.fma(s, c10);
            c11 = b1.fma(s, c11);
            s = FloatVector.broadcast(F, a[ak + 14]);
            c20 = b0.fma(s, c20);
            c21 = b1.fma(s, c21);
            s = FloatVector.broadcast(F, a[ak + 15]);
            c30 = b0.fma(s, c30);
            c31 = b1.fma(s, c31);
            s = FloatVector.broadcast(F, a[ak + 16]);
            c40 = b0.fma(s, c40);
            c41 = b1.fma(s, c41);
            s = FloatVector.broadcast(F, a[ak + 17]);
            c50 = b0.fma(s, c50);
            c51 = b1.fma(s, c51);
            s = FloatVector.broadcast(F, a[ak + 18]);
            c60 = b0.fma(s, c60);
            c61 = b1.fma(s, c61);
            s = FloatVector.broadcast(F, a[ak + 19]);
            c70 = b0.fma(s, c70);
            c71 = b1.fma(s, c71);
            s = FloatVector.broadcast(F, a[ak + 20]);
            c80 = b0.fma(s, c80);
            c81 = b1.fma(s, c81);
            s = FloatVector.broadcast(F, a[ak + 21]);
            c90 = b0.fma(s, c90);
            c91 = b1.fma(s, c91);
            s = FloatVector.broadcast(F, a[ak + 22]);
            ca0 = b0.fma(s, ca0);
            ca1 = b1.fma(s, ca1);
            s = FloatVector.broadcast(F, a[ak + 23]);
            cb0 = b0.fma(s, cb0);
            cb1 = b1.fma(s, cb1);
        }
        for (; k < kc; k++) {
            int pk = pOff + k * NR;
            int ak = aOff + k * 12;
            FloatVector b0 = FloatVector.fromArray(F, p, pk);
            FloatVector b1 = FloatVector.fromArray(F, p, pk + L);
            FloatVector s = FloatVector.broadcast(F, a[ak]);
            c00 = b0.fma(s, c00);
            c01 = b1.fma(s, c01);
            s = FloatVector.broadcast(F, a[ak + 1]);
            c10 = b0.fma(s, c10);
            c11 = b1.fma(s, c11);
            s = FloatVector.broadcast(F, a[ak + 2]);
            c20 = b0.fma(s, c20);
            c21 = b1.fma(s, c21);
            s = FloatVector.broadcast(F, a[ak + 3]);
            c30 = b0.fma(s, c30);
            c31 = b1.fma(s, c31);
            s = FloatVector.broadcast(F, a[ak + 4]);
            c40 = b0.fma(s, c40);
            c41 = b1.fma(s, c41);
            s = FloatVector.broadcast(F, a[ak + 5]);
            c50 = b0.fma(s, c50);
            c51 = b1.fma(s, c51);
            s = FloatVector.broadcast(F, a[ak + 6]);
            c60 = b0.fma(s, c60);
            c61 = b1.fma(s, c61);
            s = FloatVector.broadcast(F, a[ak + 7]);
            c70 = b0.fma(s, c70);
            c71 = b1.fma(s, c71);
            s = FloatVector.broadcast(F, a[ak + 8]);
            c80 = b0.fma(s, c80);
            c81 = b1.fma(s, c81);
            s = FloatVector.broadcast(F, a[ak + 9]);
            c90 = b0.fma(s, c90);
            c91 = b1.fma(s, c91);
            s = FloatVector.broadcast(F, a[ak + 10]);
            ca0 = b0.fma(s, ca0);
            ca1 = b1.fma(s, ca1);
            s = FloatVector.broadcast(F, a[ak + 11]);
            cb0 = b0.fma(s, cb0);
            cb1 = b1.fma(s, cb1);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + L);
        ca0.intoArray(tile, 10 * NR);
        ca1.intoArray(tile, 10 * NR + L);
        cb0.intoArray(tile, 11 * NR);
        cb1.intoArray(tile, 11 * NR + L);
    }

    /**
     * {@code c[i·ldc + cOff + col] = tile[i·NR + col] (+ c[…] when accumulating) (+ bias[biasOff + col])}
     * for i < rows, col < nValid.
     */
    static void merge(float[] tile, int rows, float[] c, int cOff, int ldc, int nValid, boolean accumulate,
                      float[] bias, int biasOff) {
        if (nValid < NR) {
            mergePartial(tile, rows, c, cOff, ldc, nValid, accumulate, bias, biasOff);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int off = cOff + i * ldc;
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
        }
    }

    /** {@link #merge} for a partial panel, element by element (out of the vector path, see {@link #packPartial}). */
    private static void mergePartial(float[] tile, int rows, float[] c, int cOff, int ldc, int nValid, boolean accumulate,
                                     float[] bias, int biasOff) {
        for (int i = 0; i < rows; i++) {
            int off = cOff + i * ldc;
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
