package paligemma4j.checkpoint;

/**
 * Element types a checkpoint tensor may have. {@link #jsonName} is the name used by
 * {@code inspect --json} (numpy's dtype name; bfloat16 as ml_dtypes names it).
 */
public enum DType {
    FLOAT32(4, "float32"),
    FLOAT16(2, "float16"),
    /** bfloat16; in .npy stored as a 2-byte void ({@code <V2}/{@code |V2}), raw bits. */
    BFLOAT16(2, "bfloat16"),
    INT32(4, "int32"),
    UINT8(1, "uint8"),
    BOOL(1, "bool");

    public final int bytes;
    public final String jsonName;

    DType(int bytes, String jsonName) {
        this.bytes = bytes;
        this.jsonName = jsonName;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16;
    }
}
