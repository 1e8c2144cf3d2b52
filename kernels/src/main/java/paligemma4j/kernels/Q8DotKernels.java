package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Output-first Q8_0 weights (blocks along the reduction) times int8 activations ({@link Q8Activations}) with
 * integer products: {@code y[o] = Σ_b (dW[o,b]·dx[b]) · Σ_{i∈b} qW[o,i]·qx[i]}, the inner sums exact in int32.
 *
 * <p>Per block, 2L int8 weights are widened to int16 lanes ({@code vpmovsxbw}), multiplied by the int16
 * activations ({@code vpmullw}: |q·q| ≤ 127², exact), and neighbouring products added into L int32 lanes,
 * scaled by 2¹⁶, by a shift, an and and an add of the int view (the Vector API offers no
 * {@code vpmaddwd}/{@code vpdpwssd}); one {@code vcvtdq2ps} and one FMA with the block's scale product follow,
 * and the row's sum is scaled back by 2⁻¹⁶ once (exact: a power of two). Below 16 lanes a block takes
 * several steps, whose pair sums are shifted back before they are added ({@link #PAIR_SHIFT}). Fewer instructions per weight byte than
 * widening int8 to float32 ({@link Q8Kernels#dot}); docs/performance.md#q8_0-with-int8-activations has the
 * assembly and the measurements.
 */
final class Q8DotKernels {
    private Q8DotKernels() {}

    static final VectorSpecies<Float> F = Simd.F;
    static final int L = Simd.L;
    /** 2L int16 lanes: the products of 2L weights, viewed as L ints. */
    private static final VectorSpecies<Short> S = L >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(L * 32)) : null;
    /** 2L bytes (the smallest byte vector is 64 bits, hence L ≥ 4). */
    private static final VectorSpecies<Byte> B = L >= 4 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 16)) : null;
    /** Whether the vector path runs: 2L divides a block. */
    static final boolean VECTOR = L >= 4 && Q8.BLOCK % (2 * L) == 0;
    /** Vector steps per block. */
    private static final int STEPS = VECTOR ? Q8.BLOCK / (2 * L) : 0;
    /**
     * The lane sums are the exact ones times 2^PAIR_SHIFT: 16 with one step per block (the pair sums as
     * {@link #pairs} forms them), 0 with several (shifted back before adding: two steps times 2¹⁶ could overflow int32).
     */
    static final int PAIR_SHIFT = STEPS == 1 ? 16 : 0;
    /** 2^−PAIR_SHIFT, applied to the row's lane sum once (exact: a power of two). */
    private static final float UNSHIFT = 1f / (1 << PAIR_SHIFT);

    /** Float scratch {@link #dot} needs for rows of {@code width}. */
    static int scratchFloats(int width) {
        return Q8.blocks(width);
    }

    /**
     * {@code y[yOff + o − o0]} for o in [o0, o1): row o of the output-first Q8_0 {@code w [·, width]} times the
     * quantized activations {@code qx[qOff ..]}, {@code dx[dOff ..]}. Order per row: s_b = float(dW[o,b]) · dx[b];
     * L lane sums a_l, 0 at first; per full block (vector path) {@code t_l} = the exact int sum of the products
     * of elements 2L·k + 2l and 2L·k + 2l + 1 over the block's steps k, then
     * {@code a_l = fma(float(t_l·2^PAIR_SHIFT), s_b, a_l)}; the row's sum is
     * {@code (((a_0 + a_1) + a_2) + …)·2^−PAIR_SHIFT}; then each remaining block (a short last block, or every
     * block without the vector path) adds {@code fma(float(Σ q·q), s_b, sum)}. {@code s16}, {@code sc}: at least
     * {@link #scratchFloats} each.
     */
    static void dot(short[] qx, int qOff, float[] dx, int dOff, int width, MemorySegment w, int o0, int o1,
                    float[] y, int yOff, short[] s16, float[] sc) {
        long rowBytes = Q8.rowBytes(width);
        int nb = Q8.blocks(width);
        int full = VECTOR ? width / Q8.BLOCK : 0;
        for (int o = o0; o < o1; o++) {
            long row = o * rowBytes;
            MemorySegment.copy(w, Weight.I16, row, s16, 0, nb);
            Simd.widenF16(s16, sc, nb);
            for (int b = 0; b < nb; b++) sc[b] *= dx[dOff + b];
            float sum = full == 0 ? 0f : dotRow(qx, qOff, w.asSlice(row + 2L * nb, 32L * full), full, sc);
            for (int b = full; b < nb; b++) {
                sum = Math.fma((float) blockSum(qx, qOff, w, row + 2L * nb, b, width), sc[b], sum);
            }
            y[yOff + o - o0] = sum;
        }
    }

    /**
     * The vector part of one row: the lane sums of full blocks [0, full) of int8 values {@code v} (a slice of
     * the row, offsets from 0 so that C2 drops the bounds checks), added in lane order. Its own method so that
     * it stays compiled when the caller is deoptimised (Vector API code runs ~1000× slower interpreted).
     */
    private static float dotRow(short[] qx, int qOff, MemorySegment v, int full, float[] sc) {
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < full; b++) {
            long at = (long) b * Q8.BLOCK;
            int xa = qOff + b * Q8.BLOCK;
            IntVector t = pairs(v, at, qx, xa);
            if (STEPS > 1) {
                t = t.lanewise(VectorOperators.ASHR, 16).add(pairs(v, at + 2 * L, qx, xa + 2 * L).lanewise(VectorOperators.ASHR, 16));
            }
            if (STEPS > 2) {
                t = t.add(pairs(v, at + 4 * L, qx, xa + 4 * L).lanewise(VectorOperators.ASHR, 16));
                t = t.add(pairs(v, at + 6 * L, qx, xa + 6 * L).lanewise(VectorOperators.ASHR, 16));
            }
            a = ((FloatVector) t.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, sc[b]), a);
        }
        return Simd.sumLanes(a) * UNSHIFT;
    }

    /**
     * The 2L products {@code v[at + j]·qx[xa + j]} as int16 (exact), neighbours added into L ints times 2¹⁶:
     * lane l of the int view holds product 2l in its low half and 2l + 1 in its high half, so {@code u << 16} is
     * the first times 2¹⁶ and {@code u & 0xFFFF0000} the second; their sum, at most 2·127²·2¹⁶ < 2³¹, is exact.
     */
    private static IntVector pairs(MemorySegment v, long at, short[] qx, int xa) {
        ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(B, v, at, Simd.LE).convertShape(VectorOperators.B2S, S, 0))
                .mul(ShortVector.fromArray(S, qx, xa));
        IntVector u = p.reinterpretAsInts();
        return u.lanewise(VectorOperators.LSHL, 16).add(u.and(0xFFFF0000));
    }

    /** Σ qW·qx over block b of the row whose int8 values start at {@code values}, exact. */
    private static int blockSum(short[] qx, int qOff, MemorySegment w, long values, int b, int width) {
        int c0 = b * Q8.BLOCK, c1 = Math.min(width, c0 + Q8.BLOCK), s = 0;
        for (int c = c0; c < c1; c++) s += w.get(ValueLayout.JAVA_BYTE, values + c) * qx[qOff + c];
        return s;
    }
}
