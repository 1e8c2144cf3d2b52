package paligemma4j.checkpoint.paligemma;

/**
 * Gemma decoder sizes, all read from the checkpoint's shapes (Gemma-2B: vocab 257152, width
 * 2048, depth 18, 8 query heads, 1 KV head, head_dim 256, mlp 16384), and whether it is a Gemma 2
 * decoder ({@code postNorms}: its layers have the post-attention and post-MLP RMSNorms).
 */
public record GemmaConfig(int vocab, int width, int depth, int heads, int kvHeads, int headDim, int mlp, boolean postNorms) {

    /** A Gemma 1 decoder. */
    public GemmaConfig(int vocab, int width, int depth, int heads, int kvHeads, int headDim, int mlp) {
        this(vocab, width, depth, heads, kvHeads, headDim, mlp, false);
    }

    /** RMSNorm epsilon, hard-coded in big_vision gemma.py (its config field norm_eps is ignored). */
    public static final float RMS_NORM_EPS = 1e-6f;
    /** RoPE max wavelength (big_vision gemma.py {@code apply_rope} default). */
    public static final float ROPE_BASE = 10_000f;

    public GemmaConfig {
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("query heads " + heads + " not a multiple of kv heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for split-halves RoPE");
        }
        if (vocab <= 0 || width <= 0 || depth <= 0 || mlp <= 0) {
            throw new IllegalArgumentException("gemma sizes must be positive: vocab " + vocab + ", width " + width
                    + ", depth " + depth + ", mlp " + mlp);
        }
    }

    /** Text embeddings are multiplied by √width (image tokens are not). */
    public float embedScale() {
        return (float) Math.sqrt(width);
    }

    /** Query scale 1/√head_dim, applied to q after RoPE. */
    public float queryScale() {
        return QueryScale.HEAD_DIM.factor(this);       // big_vision: q *= head_dim**-0.5 (Python float)
    }

    /** "Gemma 2" or "Gemma". */
    public String family() {
        return postNorms ? "Gemma 2" : "Gemma";
    }
}
