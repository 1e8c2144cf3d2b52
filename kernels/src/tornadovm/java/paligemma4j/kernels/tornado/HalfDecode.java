package paligemma4j.kernels.tornado;

import paligemma4j.kernels.WeightType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Decodes 16-bit floats (bfloat16, IEEE binary16) inside a kernel from their raw bits, with integer
 * shifts and one float multiply, because the OpenCL backend cannot use the JDK's helpers: it has no
 * {@code Float.intBitsToFloat}, miscompiles {@code Float.float16ToFloat} without an error, cannot build
 * {@code half} on devices without {@code cl_khr_fp16}, and treats {@code bits & 0xFFFF} as unsigned in a
 * way that turns later exponent arithmetic into NaN (docs/tornadovm.md#pitfalls-found-on-pocl-opencl-c-12-no-fp16). The bits arrive sign-extended
 * in an int; every mask below is applied to that int, never to the short.
 *
 * <p>A format is described by its {@link #format} parameters and a host-built exponent table
 * {@code 2^(e − bias)} ({@code e = 0} holds the subnormal scale {@code 2^(1 − bias)}, the all-ones
 * exponent holds +∞), so every value is {@code ±table[e] · ((lead + m) · 2^−mantissaBits)} with
 * {@code lead = 0} for subnormals and {@code 2^mantissaBits} otherwise: a product of two exact floats.
 * NaN payloads decode as ±∞ (weights hold none).
 */
public final class HalfDecode {

    /** {@link #format} slots. */
    public static final int MANTISSA_BITS = 0, EXPONENT_MASK = 1;
    /** Number of ints {@link #format} returns. */
    public static final int FORMAT_INTS = 2;

    private HalfDecode() {
    }

    /** Widens the 16 bits {@code bits} (sign-extended) to float32; see the class comment. */
    public static float decode(int bits, int mantissaBits, int exponentMask, FloatArray exponentTable,
                               float mantissaScale) {
        int e = (bits >> mantissaBits) & exponentMask;
        int m = bits & ((1 << mantissaBits) - 1);
        int lead = e == 0 ? 0 : (1 << mantissaBits);
        float magnitude = exponentTable.get(e) * ((float) (lead + m) * mantissaScale);
        return bits < 0 ? -magnitude : magnitude;
    }

    /** Mantissa bits and exponent mask of a 16-bit type. */
    public static IntArray format(WeightType type) {
        return switch (type) {
            case BF16 -> IntArray.fromElements(7, 0xFF);
            case F16 -> IntArray.fromElements(10, 0x1F);
            case F32 -> throw new IllegalArgumentException("F32 weights are not decoded: they are uploaded as float32");
            case Q8_0 -> throw new IllegalArgumentException("Q8_0 weights have no TornadoVM kernel (f32, bf16 and f16 do)");
        };
    }

    /** {@code 2^−mantissaBits} for the type. */
    public static float mantissaScale(WeightType type) {
        return Math.scalb(1f, -format(type).get(MANTISSA_BITS));
    }

    /** The exponent table of the type: {@code 2^(e − bias)}, subnormal scale at 0, +∞ at the top. */
    public static FloatArray exponentTable(WeightType type) {
        int mask = format(type).get(EXPONENT_MASK);
        int bias = mask >> 1;
        FloatArray table = new FloatArray(mask + 1);
        for (int e = 0; e <= mask; e++) {
            float v = e == 0 ? Math.scalb(1f, 1 - bias) : e == mask ? Float.POSITIVE_INFINITY : Math.scalb(1f, e - bias);
            table.set(e, v);
        }
        return table;
    }
}
