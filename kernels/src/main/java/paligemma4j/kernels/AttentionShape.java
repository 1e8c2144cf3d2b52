package paligemma4j.kernels;

/**
 * The head layout of one attention call: {@code heads} query heads of {@code headDim}, sharing
 * {@code kvHeads} key/value heads (query head h reads KV head {@code h / (heads / kvHeads)}; 1 = multi-query,
 * {@code heads} = multi-head), the divisor applied to q before q·k (Flax's {@code q / √d}; 1 when the
 * caller scaled q itself), and Gemma 2's logit soft-cap c: each float32 logit l becomes
 * {@code c·tanh(l/c)} before the mask and softmax (0 = off; docs/model.md#gemma-2).
 */
public record AttentionShape(int heads, int kvHeads, int headDim, float qDivisor, float softCap) {

    /** No soft-cap (Gemma 1, SigLIP). */
    public AttentionShape(int heads, int kvHeads, int headDim, float qDivisor) {
        this(heads, kvHeads, headDim, qDivisor, 0f);
    }

    public AttentionShape {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: heads (" + heads + ") must be a positive multiple of kvHeads ("
                    + kvHeads + ")");
        }
        if (headDim <= 0) {
            throw new IllegalArgumentException("attention: headDim must be positive, got " + headDim);
        }
        if (!(softCap >= 0f) || Float.isInfinite(softCap)) {
            throw new IllegalArgumentException("attention: logit soft-cap must be finite and ≥ 0 (0 = off), got " + softCap);
        }
    }

    /**
     * {@code c·tanh(l·(1/c))} in place on {@code a[off .. off+n)} when {@code c > 0}: big_vision's
     * {@code tanh(logits / c) * c}, whose division by a constant XLA evaluates as a multiply by its reciprocal.
     * Every backend route calls this one function, so they agree bit for bit.
     */
    public static void softCap(float[] a, int off, int n, float c) {
        if (c == 0f) return;
        float inv = 1f / c;
        for (int i = off; i < off + n; i++) {
            a[i] = (float) Math.tanh(a[i] * inv) * c;
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
