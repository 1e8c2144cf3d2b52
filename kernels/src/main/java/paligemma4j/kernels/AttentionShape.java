package paligemma4j.kernels;

/**
 * The head layout of one attention call: {@code heads} query heads of {@code headDim}, sharing
 * {@code kvHeads} key/value heads (query head h reads KV head {@code h / (heads / kvHeads)}; 1 = multi-query,
 * {@code heads} = multi-head), and the divisor applied to q before q·k (Flax's {@code q / √d}; 1 when the
 * caller scaled q itself).
 */
public record AttentionShape(int heads, int kvHeads, int headDim, float qDivisor) {

    public AttentionShape {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: heads (" + heads + ") must be a positive multiple of kvHeads ("
                    + kvHeads + ")");
        }
        if (headDim <= 0) {
            throw new IllegalArgumentException("attention: headDim must be positive, got " + headDim);
        }
    }

    /** Query heads per KV head. */
    public int group() {
        return heads / kvHeads;
    }

    /** The KV head that query head {@code h} reads. */
    public int kvHead(int h) {
        return h / group();
    }
}
