package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every JVM kernel uses and the in-register widening of 16-bit weights.
 *
 * <p>Two ways to widen: {@link #loadBf16}/{@link #loadF16} read {@code L} consecutive 16-bit
 * values (short load, S2I conversion); the pair form reads {@code L} ints (= {@code 2L} 16-bit
 * values) and splits them into the even elements ({@link #bf16Even}) and the odd ones
 * ({@link #bf16Odd}), which costs one shift or one and per {@code L} values. Kernels that can
 * keep their accumulators or their other operand de-interleaved (matrix-vector, dot products)
 * use the pair form.
 */
final class Simd {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Shorts with as many lanes as {@link #F} (half its bit size). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Float lanes per vector. */
    static final int L = F.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Simd() {
    }

    static FloatVector loadF32(MemorySegment w, long byteOff) {
        return FloatVector.fromMemorySegment(F, w, byteOff, LE);
    }

    /** {@code L} consecutive bf16 values widened to f32. */
    static FloatVector loadBf16(MemorySegment w, long byteOff) {
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(S, w, byteOff, LE).convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** {@code L} consecutive f16 values widened to f32. */
    static FloatVector loadF16(MemorySegment w, long byteOff) {
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(S, w, byteOff, LE).convertShape(VectorOperators.S2I, I, 0);
        return f16ToF32(wide);
    }

    /** {@code L} ints = {@code 2L} 16-bit values, little-endian: element 2j in the low half of int j. */
    static IntVector loadPairs(MemorySegment w, long byteOff) {
        return IntVector.fromMemorySegment(I, w, byteOff, LE);
    }

    static FloatVector bf16Even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static FloatVector bf16Odd(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    static FloatVector f16Even(IntVector pairs) {
        return f16ToF32(pairs);
    }

    static FloatVector f16Odd(IntVector pairs) {
        return f16ToF32(pairs.lanewise(VectorOperators.LSHR, 16));
    }

    /**
     * IEEE binary16 (low 16 bits of each lane) to float32, exact for every input: the exponent and
     * mantissa bits moved into float position and multiplied by 2^112 (re-biases normals and turns
     * subnormals into the right normals), Inf/NaN patched, sign or-ed back.
     */
    static FloatVector f16ToF32(IntVector half) {
        IntVector magnitude = half.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNan = magnitude.compare(VectorOperators.GE, 0x7C00);
        bits = bits.blend(shifted.or(0x7F800000), infOrNan);
        IntVector sign = half.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return bits.or(sign).reinterpretAsFloats();
    }

    /** Scalar bf16 → f32 of the 16-bit pattern {@code bits}. */
    static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
