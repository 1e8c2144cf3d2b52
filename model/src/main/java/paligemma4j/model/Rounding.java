package paligemma4j.model;

import paligemma4j.kernels.WeightType;

/** Round-to-nearest-even from float32 into the narrower float types big_vision computes in at a few places. */
public final class Rounding {
    private Rounding() {}

    /** float32 → bfloat16 (round to nearest, ties to even) → float32. NaN stays NaN. */
    public static float bf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7fffffff) > 0x7f800000) return x; // NaN
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xffff0000);
    }

    /** float32 → IEEE binary16 (round to nearest even) → float32. */
    public static float f16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** {@code x} rounded to {@code type} (float32 and Q8_0: unchanged). */
    public static float toType(float x, WeightType type) {
        return switch (type) {
            case BF16 -> bf16(x);
            case F16 -> f16(x);
            default -> x;
        };
    }
}
