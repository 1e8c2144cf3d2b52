package paligemma4j.kernels.tornado;

import java.util.List;
import paligemma4j.kernels.Weight;

/**
 * What {@link DecoderGraph} needs of a Gemma decoder: sizes and constants from the checkpoint/config
 * and the weights (input-first matrices; RMSNorm offsets as stored, applied as {@code 1 + scale}).
 *
 * @param queryScale multiplies q after RoPE (Gemma: head_dim^−1/2)
 * @param embedding  {@code [vocab, width]}, the tied unembedding
 */
public record DecoderTower(int width, int heads, int kvHeads, int headDim, int mlp, float eps, float ropeBase,
                           float queryScale, List<Block> blocks, float[] finalNorm, Weight embedding) {

    /** One decoder layer; {@code query[n]}, {@code key[g]}, {@code value[g]} are {@code [width, headDim]}. */
    public record Block(float[] attnNorm, Weight[] query, Weight[] key, Weight[] value, Weight out,
                        float[] ffwNorm, Weight gate, Weight up, Weight down) {}

    public DecoderTower {
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("decoder tower: heads " + heads + " not a multiple of kvHeads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("decoder tower: RoPE needs an even headDim, got " + headDim);
        }
        if (embedding.cols() != width) {
            throw new IllegalArgumentException("decoder tower: embedding is [" + embedding.rows() + ", " + embedding.cols()
                    + "], expected [vocab, " + width + "]");
        }
    }

    /** Width of a fused q|k|v row. */
    public int qkvWidth() {
        return (heads + 2 * kvHeads) * headDim;
    }
}
