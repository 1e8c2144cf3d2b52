package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels over {@link Q8} weights: int8 widened to float32 in registers
 * ({@code ByteVector} of L bytes, {@code convertShape(B2F)}: one {@code vpmovsxbd} and one
 * {@code vcvtdq2ps}), float32 accumulation. Each output's sum runs in an order fixed by the shapes
 * (and the vector width) alone, so results do not depend on how the caller splits the work over
 * threads; the orders are spelled out per kernel and mirrored by the scalar references in the tests.
 *
 * <p>Why they look as they do (docs/performance.md#kernel-design-measurements): (1) a kernel must
 * stream whole W rows — pieces of many rows stream at a fraction of the bandwidth — so the input-first
 * product is split over the cores by bands of rows; (2) each 32-element block is written out as L-wide
 * steps with constant offsets: an inner loop over the block's 32/L vectors left C2 with per-access
 * long range checks;
 * (3) the block scales of the rows in flight are widened and scaled once into a small float
 * array first ({@link Simd#widenF16}), so the hot loop only broadcasts from it; (4) Vector API
 * code is very slow interpreted or in C1: the vector loops sit in small methods of their own
 * (a deoptimised caller leaves them compiled), and code run once per product (the band sums) is
 * plain Java.
 *
 * <p>With 8 lanes (AVX2) the vector paths widen without {@code vpmovsxbd}, whose cross-lane shuffle bounded
 * them there ({@link #PHASES}). With 16 lanes one widening covers 16 values and they keep it.
 *
 * <p>These are the hot inner loops: arrays, offsets and sizes go in as plain parameters, not records, so a
 * call allocates and dereferences nothing beyond its data (hence the long parameter lists).
 */
final class Q8Kernels {
    private Q8Kernels() {}

    /**
     * The widest vectors (as {@link MatmulKernels#F} and {@link Simd#F}, 16 lanes with AVX-512 enabled):
     * widening int8 costs two instructions per vector, so these kernels are bound by instruction
     * throughput, and 16 lanes halve the instructions per byte.
     */
    static final VectorSpecies<Float> F = Simd.F;
    /** Float lanes per vector. */
    static final int L = F.length();

    /** L bytes: widened to one FloatVector of L lanes (needs L ≥ 8: the smallest byte vector is 64 bits). */
    private static final VectorSpecies<Byte> B =
            L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    /** Whether the vector paths run (2L divides a block, and a byte vector of L lanes exists: 8 or 16 lanes). */
    private static final boolean VECTOR = L >= 8 && Q8.BLOCK % (2 * L) == 0;
    /**
     * Whether the vector paths read a block's 32 int8 values as L = 8 ints and take byte k of every int as one
     * vector, "phase" k (the block's elements 4j + k, j &lt; 8): shifted into the top byte and masked, then
     * converted, a phase is 2²⁴·q exactly, and 2⁻²⁴ goes into the block's scale (exact: a power of two). Shifts
     * and ands in place of a widening shuffle per vector; the input-first pass keeps its per-column order
     * (and un-permutes its sums), the dot product takes x in phase order ({@link #phases}).
     * docs/performance.md#q8_0-decode-with-8-lane-vectors-avx2 has the measurements.
     */
    static final boolean PHASES = VECTOR && L == 8;
    /** 2⁻²⁴: a phase's factor, moved into the block scale. */
    private static final float UNPHASE = 0x1p-24f;
    /** L ints: a block's 32 bytes when {@link #PHASES}. */
    private static final VectorSpecies<Integer> I = Simd.I;

    /**
     * W rows per pass of {@link #rows}: amortises the accumulator loads and stores and the per-pass scale work.
     * Eight with {@link #PHASES} (its pass is a loop over the rows); four in the written-out 16-lane pass.
     */
    static final int ROWS_PER_PASS = PHASES ? 8 : 4;
    /**
     * The distance in rows between the {@link #ROWS_PER_PASS} rows of one pass of {@link #rows} over
     * {@code count} rows of {@code rowBytes} each ({@link MatvecKernels#passSpread}).
     */
    static int passRows(long rowBytes, int count) {
        return MatvecKernels.passSpread(rowBytes, count, ROWS_PER_PASS);
    }

    /** Float scratch {@link #rows} and {@link #dot} need for W rows of {@code cols} columns. */
    static int scratchFloats(int cols) {
        return ROWS_PER_PASS * (Q8.blocks(cols) + L);
    }

    /**
     * Partial sums of the input-first product over W rows [i0, i1):
     * {@code acc[accOff + o] = Σ_{i0 ≤ i < i1} x[xOff + i] · W[i, o]} for every column o of
     * {@code W [·, out]} (whole rows: see the class comment). Order per column: acc starts at 0,
     * then {@code acc = fma(float(x_i · d_ib), q_io, acc)} (d_ib the scale of row i's block holding o)
     * for the rows in pass order: with R = {@link #ROWS_PER_PASS}, P = ⌊(i1 − i0)/R⌋ passes and
     * s = {@link #passRows}(row bytes, i1 − i0), pass p takes the rows {@code first + k·s}, k = 0 … R − 1, where
     * first = i0 + p when s > 1 and i0 + Rp when s = 1; then the rows from i0 + RP on, in order.
     * {@code s16}, {@code sc}: at least {@link #scratchFloats(int)} each.
     */
    static void rows(float[] x, int xOff, MemorySegment w, int out, int i0, int i1, float[] acc, int accOff,
                     short[] s16, float[] sc) {
        rows(x, xOff, w, out, 0, out, i0, i1, acc, accOff, s16, sc);
    }

    /**
     * As {@link #rows(float[], int, MemorySegment, int, int, int, float[], int, short[], float[])}
     * for the columns [c0, c0 + n) only ({@code c0} a multiple of {@link Q8#BLOCK}; n ≤ out − c0):
     * {@code acc[accOff + o − c0]}. Each column's sum is the same as with whole rows.
     */
    static void rows(float[] x, int xOff, MemorySegment w, int out, int c0, int n, int i0, int i1, float[] acc,
                     int accOff, short[] s16, float[] sc) {
        java.util.Arrays.fill(acc, accOff, accOff + n, 0f);
        long rowBytes = Q8.rowBytes(out);
        int nb = Q8.blocks(n);                 // blocks of the column range
        long scalesAt = 2L * (c0 / Q8.BLOCK), valuesAt = 2L * Q8.blocks(out) + c0;
        int full = VECTOR ? n / Q8.BLOCK : 0;
        int passes = (i1 - i0) / ROWS_PER_PASS, spread = passRows(rowBytes, i1 - i0);
        long step = spread * rowBytes;          // bytes between the rows of a pass
        for (int p = 0; p < passes; p++) {
            int i = i0 + (spread > 1 ? p : ROWS_PER_PASS * p);
            long r0 = i * rowBytes;
            for (int k = 0; k < ROWS_PER_PASS; k++) {
                MemorySegment.copy(w, Weight.I16, r0 + k * step + scalesAt, s16, k * nb, nb);
            }
            Simd.widenF16(s16, sc, ROWS_PER_PASS * nb);
            for (int k = 0; k < ROWS_PER_PASS; k++) {
                float xk = x[xOff + i + k * spread];
                for (int b = 0; b < nb; b++) sc[k * nb + b] = xk * sc[k * nb + b];
            }
            long v0 = r0 + valuesAt;
            if (PHASES) {
                passPhases(w, v0, step, full, sc, nb, acc, accOff);
            } else {
                pass(w, v0, step, full, sc, nb, acc, accOff);
            }
            for (int c = full * Q8.BLOCK; c < n; c++) {     // blocks left to the scalar loop, same order
                int b = c / Q8.BLOCK;
                float s = acc[accOff + c];
                for (int k = 0; k < ROWS_PER_PASS; k++) {
                    s = Math.fma(sc[k * nb + b], w.get(ValueLayout.JAVA_BYTE, v0 + k * step + c), s);
                }
                acc[accOff + c] = s;
            }
        }
        if (PHASES && passes > 0) unphase(acc, accOff, full, sc);     // sc is free once the passes are done
        for (int i = i0 + ROWS_PER_PASS * passes; i < i1; i++) {   // the last rows one at a time, in order
            long row = i * rowBytes;
            float xi = x[xOff + i];
            for (int c = 0; c < n; c++) {
                float s = xi * Float.float16ToFloat(w.get(Weight.I16, row + scalesAt + 2L * (c / Q8.BLOCK)));
                acc[accOff + c] = Math.fma(s, w.get(ValueLayout.JAVA_BYTE, row + valuesAt + c), acc[accOff + c]);
            }
        }
    }

    /**
     * The vector part of one 4-row pass of {@link #rows} (16 lanes): full blocks [0, full) of the rows whose
     * int8 values start at v0, v0 + step, …, scaled by sc[k·nb + b], into acc. Its own method
     * with straight-line code: compiled on its own, it keeps running compiled when the caller is
     * deoptimised (Vector API code in the interpreter runs ~1000× slower).
     */
    private static void pass(MemorySegment w, long v0, long step, int full, float[] sc, int nb, float[] acc,
                             int accOff) {
        long v1 = v0 + step, v2 = v1 + step, v3 = v2 + step;
        for (int b = 0; b < full; b++) {                    // two L-wide steps per block: 16 lanes only
            int c = b * Q8.BLOCK;
            FloatVector s0 = FloatVector.broadcast(F, sc[b]);
            FloatVector s1 = FloatVector.broadcast(F, sc[nb + b]);
            FloatVector s2 = FloatVector.broadcast(F, sc[2 * nb + b]);
            FloatVector s3 = FloatVector.broadcast(F, sc[3 * nb + b]);
            int a = accOff + c;
            FloatVector sum = FloatVector.fromArray(F, acc, a);
            sum = widen(w, v0 + c).fma(s0, sum);
            sum = widen(w, v1 + c).fma(s1, sum);
            sum = widen(w, v2 + c).fma(s2, sum);
            sum = widen(w, v3 + c).fma(s3, sum);
            sum.intoArray(acc, a);
            sum = FloatVector.fromArray(F, acc, a + L);
            sum = widen(w, v0 + c + L).fma(s0, sum);
            sum = widen(w, v1 + c + L).fma(s1, sum);
            sum = widen(w, v2 + c + L).fma(s2, sum);
            sum = widen(w, v3 + c + L).fma(s3, sum);
            sum.intoArray(acc, a + L);
        }
    }

    /**
     * {@link #pass} with {@link #PHASES}: per full block, column 4j + k of the block is summed in
     * {@code acc[accOff + 32b + 8k + j]} (phase order, put back by {@link #unphase}), each column's
     * products added in the same row order as {@link #pass}.
     */
    private static void passPhases(MemorySegment w, long v0, long step, int full, float[] sc, int nb, float[] acc,
                                   int accOff) {
        for (int b = 0; b < full; b++) {
            int c = b * Q8.BLOCK, a = accOff + c;
            FloatVector p0 = FloatVector.fromArray(F, acc, a), p1 = FloatVector.fromArray(F, acc, a + 8);
            FloatVector p2 = FloatVector.fromArray(F, acc, a + 16), p3 = FloatVector.fromArray(F, acc, a + 24);
            for (int k = 0; k < ROWS_PER_PASS; k++) {    // a loop, not copies: C2's inlining budget
                IntVector q = IntVector.fromMemorySegment(I, w, v0 + k * step + c, Simd.LE);
                FloatVector s = FloatVector.broadcast(F, sc[k * nb + b] * UNPHASE);
                p0 = phase0(q).fma(s, p0);
                p1 = phase1(q).fma(s, p1);
                p2 = phase2(q).fma(s, p2);
                p3 = phase3(q).fma(s, p3);
            }
            p0.intoArray(acc, a);
            p1.intoArray(acc, a + 8);
            p2.intoArray(acc, a + 16);
            p3.intoArray(acc, a + 24);
        }
    }

    /*
     * Phase k of the 8 ints q (byte k of each, see PHASES) as floats, 2²⁴ times the int8 values: the byte shifted
     * to the top and the rest masked off, so the int is exact in a float. One method per phase, no branch: with
     * one method taking k, C2 boxed the vectors (calls in the loop, 5× slower).
     */
    private static FloatVector phase0(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector phase1(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHL, 16).and(0xFF000000).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector phase2(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHL, 8).and(0xFF000000).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector phase3(IntVector q) {
        return (FloatVector) q.and(0xFF000000).convert(VectorOperators.I2F, 0);
    }

    /**
     * The first {@code full} blocks of {@code acc} (from {@code accOff}) from phase order back to column order,
     * through {@code block} (scratch of at least {@link Q8#BLOCK} floats).
     */
    private static void unphase(float[] acc, int accOff, int full, float[] block) {
        for (int b = 0; b < full; b++) {
            int a = accOff + b * Q8.BLOCK;
            System.arraycopy(acc, a, block, 0, Q8.BLOCK);
            for (int j = 0; j < 8; j++) {
                for (int k = 0; k < 4; k++) acc[a + 4 * j + k] = block[8 * k + j];
            }
        }
    }

    /**
     * x in the order the {@link #PHASES} dot product reads it: per full block, {@code xs[dst + 32b + 8k + j] =
     * x[xOff + 32b + 4j + k]}; the elements after the last full block are not copied (the tail reads x).
     */
    static void phases(float[] x, int xOff, int width, float[] xs, int dst) {
        for (int b = 0; b < width / Q8.BLOCK; b++) {
            int at = b * Q8.BLOCK;
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < 8; j++) xs[dst + at + 8 * k + j] = x[xOff + at + 4 * j + k];
            }
        }
    }

    /**
     * {@code y[yOff + o − o0] = Σ_j x[xOff + j] · W[o, j]} for o in [o0, o1): W {@code [n, width]}
     * output-first Q8_0 (the unembedding), blocks along the reduction. Order per row: L lane sums
     * {@code a_l}, 0 at first; per full block with scale d, lane l forms
     * {@code t_l = q_l·x_l}, then {@code t_l = fma(q_{l+kL}, x_{l+kL}, t_l)} for k = 1 … 32/L − 1
     * (offsets within the block), then {@code a_l = fma(t_l, d, a_l)}; the row's sum is
     * {@code ((a_0 + a_1) + a_2) + …}; a last short block adds {@code fma(t, d, sum)} with t its
     * elements' products summed in order ({@code t = q_0·x_0}, then fma). With {@link #PHASES} lane l's
     * {@code t_l} is {@code q_{4l}·x_{4l}}, then {@code fma(q_{4l+k}, x_{4l+k}, t_l)} for k = 1 … 3, and
     * {@code xs} (from {@code xsOff}) holds x in {@link #phases} order; otherwise {@code xs} is not read.
     * {@code s16}, {@code sc}: at least {@link #scratchFloats(int)} each.
     *
     * <p>One row at a time: a single sequential stream per thread. Four rows per pass (x loaded once
     * for four rows) streamed worse from memory.
     */
    static void dot(float[] x, int xOff, float[] xs, int xsOff, int width, MemorySegment w, int o0, int o1,
                    float[] y, int yOff, short[] s16, float[] sc) {
        long rowBytes = Q8.rowBytes(width);
        int nb = Q8.blocks(width);
        long valuesAt = 2L * nb;
        int full = VECTOR ? width / Q8.BLOCK : 0;
        int lanes = nb;                       // the row's L lane sums in sc after its scales
        for (int o = o0; o < o1; o++) {
            long row = o * rowBytes;
            MemorySegment.copy(w, Weight.I16, row, s16, 0, nb);
            Simd.widenF16(s16, sc, nb);
            if (PHASES) {
                dotRowPhases(xs, xsOff, w.asSlice(row + valuesAt, 32L * full), full, sc, lanes);
            } else if (VECTOR) {
                dotRow(x, xOff, w.asSlice(row + valuesAt, 32L * full), full, sc, lanes);
            } else {
                java.util.Arrays.fill(sc, lanes, lanes + L, 0f);
            }
            y[yOff + o - o0] = tail(x, xOff, width, w, row + valuesAt, full, Simd.sumLanes(sc, lanes), sc[nb - 1]);
        }
    }

    /**
     * The vector part of one row of {@link #dot}: the L lane sums of its full blocks [0, full), whose
     * int8 values are {@code v} (a slice of the row: offsets from 0 let C2 drop the bounds checks),
     * block scales {@code sc[b]}, stored to {@code sc[lanes …]}. Its own method: see {@link #pass}.
     */
    private static void dotRow(float[] x, int xOff, MemorySegment v, int full, float[] sc, int lanes) {
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < full; b++) {
            long at = (long) b * Q8.BLOCK;
            int xa = xOff + b * Q8.BLOCK;
            FloatVector t = widen(v, at).mul(FloatVector.fromArray(F, x, xa));
            t = widen(v, at + L).fma(FloatVector.fromArray(F, x, xa + L), t);
            a = t.fma(FloatVector.broadcast(F, sc[b]), a);
        }
        a.intoArray(sc, lanes);
    }

    /**
     * {@link #dotRow} with {@link #PHASES}: x in phase order ({@code xs} from {@code xsOff}); the phases are
     * 2²⁴·q, so the block scale is taken times 2⁻²⁴ (the same sums: powers of two scale exactly).
     */
    private static void dotRowPhases(float[] xs, int xsOff, MemorySegment v, int full, float[] sc, int lanes) {
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < full; b++) {
            int xa = xsOff + b * Q8.BLOCK;
            IntVector q = IntVector.fromMemorySegment(I, v, (long) b * Q8.BLOCK, Simd.LE);
            FloatVector t = phase0(q).mul(FloatVector.fromArray(F, xs, xa));
            t = phase1(q).fma(FloatVector.fromArray(F, xs, xa + 8), t);
            t = phase2(q).fma(FloatVector.fromArray(F, xs, xa + 16), t);
            t = phase3(q).fma(FloatVector.fromArray(F, xs, xa + 24), t);
            a = t.fma(FloatVector.broadcast(F, sc[b] * UNPHASE), a);
        }
        a.intoArray(sc, lanes);
    }

    /** L int8 values at {@code at} of {@code v} widened to float32 (one {@code vpmovsxbd}, one {@code vcvtdq2ps}). */
    static FloatVector widen(MemorySegment v, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, v, at, Simd.LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * {@code sum} plus the blocks from {@code fromBlock} on (at most one short block, or every
     * block on the scalar path) of the row whose int8 values start at {@code values}; {@code dLast}
     * is the last block's scale (the scales of earlier blocks are read from W).
     */
    private static float tail(float[] x, int xOff, int width, MemorySegment w, long values, int fromBlock,
                              float sum, float dLast) {
        int nb = Q8.blocks(width);
        long scales = values - 2L * nb;
        for (int b = fromBlock; b < nb; b++) {
            int c0 = b * Q8.BLOCK, c1 = Math.min(width, c0 + Q8.BLOCK);
            float d = b == nb - 1 ? dLast : Float.float16ToFloat(w.get(Weight.I16, scales + 2L * b));
            float t = x[xOff + c0] * w.get(ValueLayout.JAVA_BYTE, values + c0);
            for (int c = c0 + 1; c < c1; c++) {
                t = Math.fma(w.get(ValueLayout.JAVA_BYTE, values + c), x[xOff + c], t);
            }
            sum = Math.fma(t, d, sum);
        }
        return sum;
    }

    /**
     * {@code y[yOff + o] = ((p_0[o] + p_1[o]) + p_2[o]) + … (+ bias[biasOff + o])} for o in [c0, c1),
     * {@code p_t = partial[from + t · out …]} for t < bands: the band partial sums of {@link #rows} added
     * in band order.
     */
    static void sumBands(float[] partial, int from, int bands, int out, int c0, int c1, float[] bias, int biasOff,
                         float[] y, int yOff) {
        // plain loops (C2 vectorises them): called once per product, Vector API code would run
        // interpreted for a long while before being compiled
        System.arraycopy(partial, from + c0, y, yOff + c0, c1 - c0);
        for (int t = 1; t < bands; t++) {
            int p = from + t * out;
            for (int o = c0; o < c1; o++) y[yOff + o] += partial[p + o];
        }
        if (bias != null) {
            for (int o = c0; o < c1; o++) y[yOff + o] += bias[biasOff + o];
        }
    }
}
