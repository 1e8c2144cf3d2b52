package paligemma4j.checkpoint.paligemma;

/** The whole model's sizes: the vision tower and the language model, inferred from a checkpoint. */
public record PaliGemmaConfig(SiglipConfig vision, GemmaConfig llm) {

    /**
     * The model's name, e.g. "PaliGemma 2 10B, 448 px", or for sizes no release has "PaliGemma 2 (custom Gemma 2
     * decoder), 224 px".
     */
    public String name() {
        String model = GemmaSize.of(llm).map(s -> s.model).orElse((llm.postNorms() ? "PaliGemma 2" : "PaliGemma")
                + " (custom " + llm.family() + " decoder)");
        return model + ", " + vision.resolution() + " px";
    }

    /** Parameter count implied by the sizes (equals the sum of the 32 tensors' sizes). */
    public long parameterCount() {
        SiglipConfig v = vision;
        long w = v.width();
        long vit = (long) v.patch() * v.patch() * 3 * w + w            // patch embedding
                + (long) v.numTokens() * w                               // position embedding
                + v.depth() * (4L * w                                    // two LayerNorms
                        + 4L * (w * w + w)                               // q, k, v, out (+ biases)
                        + w * v.mlp() + v.mlp() + v.mlp() * w + w)       // MLP
                + 2 * w;                                                 // encoder_norm
        GemmaConfig g = llm;
        long d = g.width();
        long qo = 2L * g.heads() * d * g.headDim();
        long kv = 2L * g.kvHeads() * d * g.headDim();
        long lm = (long) g.vocab() * d
                + g.depth() * (qo + kv + 3L * d * g.mlp() + (g.postNorms() ? 4 : 2) * d)
                + d;
        long projector = w * d + d;
        return vit + projector + lm;
    }
}
