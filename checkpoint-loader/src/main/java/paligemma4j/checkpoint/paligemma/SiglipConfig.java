package paligemma4j.checkpoint.paligemma;

/**
 * SigLIP vision tower sizes, all read from the checkpoint's shapes (So400m/14 at 224:
 * resolution 224, patch 14, width 1152, depth 27, mlp 4304, heads 16 × 72).
 */
public record SiglipConfig(int resolution, int patch, int width, int depth, int mlp, int heads, int headDim) {

    /** Flax {@code nn.LayerNorm} default epsilon (big_vision vit.py does not override it). */
    public static final float LAYER_NORM_EPS = 1e-6f;

    public SiglipConfig {
        if (patch <= 0 || resolution % patch != 0) {
            throw new IllegalArgumentException("resolution " + resolution + " is not a multiple of patch " + patch);
        }
        if (heads * headDim != width) {
            throw new IllegalArgumentException("vision heads " + heads + " × head_dim " + headDim + " != width " + width);
        }
        if (depth <= 0 || mlp <= 0) {
            throw new IllegalArgumentException("vision depth " + depth + " / mlp " + mlp + " must be positive");
        }
    }

    /** Patches per side, R/14. */
    public int gridSize() {
        return resolution / patch;
    }

    /** Number of image tokens, (R/14)². */
    public int numTokens() {
        return gridSize() * gridSize();
    }
}
