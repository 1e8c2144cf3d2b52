package paligemma4j.model;

/** Names of the observable stages, one scheme for Java and both Python dump scripts. */
public final class Stages {
    private Stages() {}

    /** Preprocessed pixels, [R·R, 3] in [−1, 1]. */
    public static final String PIXELS = "img/pixels";
    /** Patch embedding + position embedding, [N_img, width]. */
    public static final String PATCH_EMBED = "img/embed";
    /** Output of ViT block l, [N_img, width]. */
    public static String vitBlock(int l) {
        return "img/block_" + l;
    }
    /** After the final LayerNorm, [N_img, width]. */
    public static final String ENCODER_NORM = "img/encoder_norm";
    /** Projector output = image tokens, [N_img, D]. */
    public static final String ZIMG = "img/zimg";
    /** Text embeddings × √D (prefix text), [T_text, D]. */
    public static final String TEXT_EMBED = "llm/text_embed";
    /** Output of Gemma layer l over the prefix, [N_img + T_text, D]. */
    public static String llmLayer(int l) {
        return "llm/layer_" + l;
    }
    /** Final RMSNorm over the prefix, [N_img + T_text, D]. */
    public static final String FINAL_NORM = "llm/final_norm";
    /** Logits at every text position of the prefix, [T_text, V]. */
    public static final String PREFIX_LOGITS = "llm/prefix_logits";
}
