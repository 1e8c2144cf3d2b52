package paligemma4j.checkpoint.paligemma;

/**
 * Decoder settings a checkpoint cannot carry, with big_vision's variant defaults: Gemma 2 caps its final logits
 * at 30 and its attention logits at 50 and scales queries as its size does; Gemma 1 has neither cap. A sliding
 * window (transformers' Gemma 2, on every other layer) is off by default, as in big_vision.
 *
 * @param finalLogitSoftCap c of the decode steps' {@code c·tanh(logits/c)} (0 = off)
 * @param attnLogitSoftCap  c of the attention logits' {@code c·tanh(l/c)} (0 = off)
 * @param queryScale        how q is scaled after RoPE
 * @param slidingWindow     positions the even layers see (0 = all)
 */
public record GemmaSettings(float finalLogitSoftCap, float attnLogitSoftCap, QueryScale queryScale, int slidingWindow) {

    /** big_vision's {@code gemma2_*} soft-caps. */
    public static final float GEMMA2_FINAL_LOGIT_SOFTCAP = 30f, GEMMA2_ATTN_LOGIT_SOFTCAP = 50f;

    public GemmaSettings {
        check("final logit soft-cap", finalLogitSoftCap);
        check("attention logit soft-cap", attnLogitSoftCap);
        if (queryScale == null) throw new IllegalArgumentException("query scale missing");
        if (slidingWindow < 0) throw new IllegalArgumentException("sliding window must be ≥ 0 (0 = off), got " + slidingWindow);
    }

    private static void check(String what, float c) {
        if (!(c >= 0f) || Float.isInfinite(c)) throw new IllegalArgumentException(what + " must be finite and ≥ 0 (0 = off), got " + c);
    }

    /** The defaults for a decoder of {@code c}'s sizes. */
    public static GemmaSettings defaults(GemmaConfig c) {
        QueryScale scale = GemmaSize.of(c).map(s -> s.queryScale).orElse(QueryScale.HEAD_DIM);
        return c.postNorms()
                ? new GemmaSettings(GEMMA2_FINAL_LOGIT_SOFTCAP, GEMMA2_ATTN_LOGIT_SOFTCAP, scale, 0)
                : new GemmaSettings(0f, 0f, scale, 0);
    }

    /**
     * Options given on the command line, null where not given.
     *
     * @param finalLogitSoftCap {@code --final-logit-softcap}
     * @param attnLogitSoftCap  {@code --attn-logit-softcap}
     * @param queryScale        {@code --query-scale}
     * @param slidingWindow     {@code --sliding-window}
     */
    public record Overrides(Float finalLogitSoftCap, Float attnLogitSoftCap, QueryScale queryScale, Integer slidingWindow) {

        public static final Overrides NONE = new Overrides(null, null, null, null);

        /** {@code defaults} with every given option in its place. */
        public GemmaSettings apply(GemmaSettings defaults) {
            return new GemmaSettings(
                    finalLogitSoftCap != null ? finalLogitSoftCap : defaults.finalLogitSoftCap(),
                    attnLogitSoftCap != null ? attnLogitSoftCap : defaults.attnLogitSoftCap(),
                    queryScale != null ? queryScale : defaults.queryScale(),
                    slidingWindow != null ? slidingWindow : defaults.slidingWindow());
        }
    }
}
