package paligemma4j.checkpoint.paligemma;

import java.util.Optional;

/**
 * The released decoder sizes, recognised from a checkpoint's shapes (width / depth / MLP / heads / KV heads /
 * head dim, and whether the layers have Gemma 2's post norms), with the PaliGemma model each makes and the query
 * scale of its big_vision variant ({@code gemma_2b}, {@code gemma2_2b}, {@code gemma2_9b}, {@code gemma2_27b}).
 */
public enum GemmaSize {
    GEMMA_2B("PaliGemma 3B", 2048, 18, 16_384, 8, 1, 256, false, QueryScale.HEAD_DIM),
    GEMMA2_2B("PaliGemma 2 3B", 2304, 26, 9_216, 8, 4, 256, true, QueryScale.HEAD_DIM),
    GEMMA2_9B("PaliGemma 2 10B", 3584, 42, 14_336, 16, 8, 256, true, QueryScale.HEAD_DIM),
    GEMMA2_27B("PaliGemma 2 28B", 4608, 46, 36_864, 32, 16, 128, true, QueryScale.WIDTH_PER_HEAD);

    public final String model;
    public final int width, depth, mlp, heads, kvHeads, headDim;
    public final boolean postNorms;
    public final QueryScale queryScale;

    GemmaSize(String model, int width, int depth, int mlp, int heads, int kvHeads, int headDim, boolean postNorms,
              QueryScale queryScale) {
        this.model = model;
        this.width = width;
        this.depth = depth;
        this.mlp = mlp;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.postNorms = postNorms;
        this.queryScale = queryScale;
    }

    /** The released size {@code c} has (the vocabulary may differ), if any. */
    public static Optional<GemmaSize> of(GemmaConfig c) {
        for (GemmaSize s : values()) {
            if (s.width == c.width() && s.depth == c.depth() && s.mlp == c.mlp() && s.heads == c.heads()
                    && s.kvHeads == c.kvHeads() && s.headDim == c.headDim() && s.postNorms == c.postNorms()) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
