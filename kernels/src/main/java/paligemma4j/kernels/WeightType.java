package paligemma4j.kernels;

/** How a weight matrix's elements are stored in memory. Kernels widen to float32 in registers. */
public enum WeightType {
    F32(4),
    /** bfloat16 bits: value = intBitsToFloat(bits << 16). */
    BF16(2),
    /** IEEE binary16. */
    F16(2);

    public final int bytes;

    WeightType(int bytes) {
        this.bytes = bytes;
    }
}
