package paligemma4j.kernels;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every JVM kernel uses and the in-register widening of 16-bit weights.
 *
 * <p>bf16 is read as int pairs: {@code L} little-endian ints (= {@code 2L} bf16 values; element
 * 2j in the low half of int j) split into the even elements ({@link #bf16Even}) and the odd ones
 * ({@link #bf16Odd}), one shift or one and per {@code L} values. Kernels keep their accumulators,
 * their other operand or their packed panel de-interleaved accordingly. (A short load with an S2I
 * {@code convertShape} was not intrinsified in the kernels.) The kernels call
 * {@code fromMemorySegment} themselves: a load helper in this class was not inlined by C2 with
 * 512-bit vectors ("callee uses too much stack"), which boxes every vector.
 *
 * <p>f16: {@link #widenF16}, a scalar loop that C2 vectorises (F16C on x86). A conversion built
 * from Vector API lane operations was measured 10× slower in the kernels: it is too large for
 * C2 to inline in the unrolled loops, so the vectors get boxed.
 */
final class Simd {

    /**
     * The widest vectors the JVM offers (16 lanes with AVX-512 enabled, {@code -XX:UseAVX=3}, which the
     * launcher sets on CPUs that have it), for every kernel: the same as {@link MatmulKernels#F} and
     * {@link Q8Kernels#F}. Mixing widths in one JVM costs far more than any width gains: C2 compiles a
     * kernel with the type profiles of the JDK's shared vector methods, and once 512-bit vectors have
     * flowed through them a 256-bit kernel compiled afterwards runs several times slower
     * (docs/performance.md#kernel-design-measurements).
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Float lanes per vector. */
    static final int L = F.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Simd() {
    }

    static FloatVector bf16Even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static FloatVector bf16Odd(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    /** {@code dst[i] = float16ToFloat(src[i])} for i < n: C2 turns this loop into vector conversions (F16C). */
    static void widenF16(short[] src, float[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = Float.float16ToFloat(src[i]);
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;        // ln 2 split so n·LN2_HI is exact
    private static final float LN2_LO = 1.428606765330187e-06f;
    private static final float ROUND_MAGIC = 12582912f;             // 1.5·2^23: adding it rounds to an integer
    private static final float EXP_MIN = -87.33654f, EXP_MAX = 88.72283f;

    /**
     * {@code a[i] = e^(a[i] − shift)} for i in [from, to), 0 where {@code a[i] − shift < flushBelow} (pass −∞
     * for none; the softmax shifts by the row's maximum).
     * Vectors: float32 within ~1 ulp for x in [−87.3, 88.7] (clamped outside: e^−87.3 ≈ 1.2e−38 instead
     * of 0 below, 3.4e38 above); Cody–Waite reduction {@code x = n·ln2 + r}, |r| ≤ ln2/2, degree-7 Taylor
     * polynomial (truncation < 1e−8 relative), scaled by 2^n through the exponent bits. The tail past
     * the last whole vector: {@code (float) Math.exp}. The JDK's {@code lanewise(EXP)} is not
     * intrinsified on JDK 25 for x86 (a scalar fallback).
     *
     * <p>A loop over an array rather than a function of one vector: C2 does not inline a method of this
     * size into the callers' loops ("callee is too large", "already compiled into a medium method") and
     * then boxes every vector passed to it, which makes the softmax and GELU several times slower.
     */
    static void exp(float[] a, int from, int to, float shift, float flushBelow) {
        int i = from;
        for (int end = from + (to - from) / L * L; i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, i).sub(shift);
            FloatVector c = x.max(EXP_MIN).min(EXP_MAX);
            FloatVector t = c.mul(LOG2E).add(ROUND_MAGIC);
            FloatVector n = t.sub(ROUND_MAGIC);
            IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
            FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), c);
            r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector p = r.fma(FloatVector.broadcast(F, 1f / 5040f), FloatVector.broadcast(F, 1f / 720f));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 120f));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 24f));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 6f));
            p = p.fma(r, FloatVector.broadcast(F, 0.5f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            // 2^n for n in [−126, 128]: split in two factors so n = 128 and n = −126 stay representable
            IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(s1).mul(s2).blend(0f, x.lt(flushBelow)).intoArray(a, i);
        }
        for (; i < to; i++) {
            float x = a[i] - shift;
            a[i] = x < flushBelow ? 0f : (float) Math.exp(x);
        }
    }

    /** Scalar bf16 → f32 of the 16-bit pattern {@code bits}. */
    static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Sum of the lanes in a fixed order (lane 0 + lane 1 + …). {@code reduceLanes(ADD)} leaves the
     * order to the implementation, and the interpreter and compiled code do use different orders: results
     * would then depend on JIT timing and thread scheduling.
     *
     * <p>Written out with constant lane indices (the unused ones fold away, {@code L} being a constant):
     * C2 intrinsifies {@code lane(i)} only for a constant i; a loop over i is an order of magnitude slower,
     * and the unembedding calls this once per vocabulary row.
     */
    static float sumLanes(FloatVector v) {
        if (L > 16) {
            float s = v.lane(0);
            for (int i = 1; i < L; i++) s += v.lane(i);
            return s;
        }
        float s = v.lane(0);
        if (L > 1) s += v.lane(1);
        if (L > 2) s += v.lane(2);
        if (L > 3) s += v.lane(3);
        if (L > 4) s += v.lane(4);
        if (L > 5) s += v.lane(5);
        if (L > 6) s += v.lane(6);
        if (L > 7) s += v.lane(7);
        if (L > 8) s += v.lane(8);
        if (L > 9) s += v.lane(9);
        if (L > 10) s += v.lane(10);
        if (L > 11) s += v.lane(11);
        if (L > 12) s += v.lane(12);
        if (L > 13) s += v.lane(13);
        if (L > 14) s += v.lane(14);
        if (L > 15) s += v.lane(15);
        return s;
    }

    /**
     * {@code ((v[at] + v[at + 1]) + v[at + 2]) + …}, L terms: {@link #sumLanes(FloatVector)} of a vector stored
     * at {@code at}, for kernels that sum several vectors at once (no vector crosses a call C2 may not
     * inline).
     */
    static float sumLanes(float[] v, int at) {
        float s = v[at];
        for (int l = 1; l < L; l++) s += v[at + l];
        return s;
    }
}
