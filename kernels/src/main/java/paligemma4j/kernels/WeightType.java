package paligemma4j.kernels;

/** How a weight matrix's elements are stored in memory. Kernels widen to float32 in registers. */
public enum WeightType {
    F32(4),
    /** bfloat16 bits: value = intBitsToFloat(bits << 16). */
    BF16(2),
    /** IEEE binary16. */
    F16(2),
    /**
     * Q8_0 (see {@link Q8}): each row in blocks of {@link Q8#BLOCK} elements, one float16 scale and
     * one int8 per element each; per row the scales come first, then the int8 values.
     * {@link #bytes} counts the int8 only: use {@link #rowBytes}.
     */
    Q8_0(1);

    /** Bytes per element (Q8_0: per int8 value, scales not included). */
    public final int bytes;

    WeightType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes of one row of {@code cols} elements. */
    public long rowBytes(int cols) {
        return this == Q8_0 ? Q8.rowBytes(cols) : (long) cols * bytes;
    }
}
