package paligemma4j.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A whole Gemma decoder as a {@link TowerOps} backend takes it: sizes and constants from the
 * checkpoint/config and the weights (input-first matrices; RMSNorm offsets as stored, applied as
 * {@code 1 + scale}); no backend type.
 *
 * @param width      residual width D
 * @param kvHeads    key/value heads (1 = multi-query)
 * @param mlp        GeGLU hidden width F
 * @param eps        RMSNorm epsilon
 * @param ropeBase   RoPE base wavelength
 * @param queryScale multiplies q after RoPE (Gemma: head_dim^−1/2)
 * @param embedding  {@code [vocab, width]}, the tied unembedding
 */
public record DecoderTower(int width, int heads, int kvHeads, int headDim, int mlp, float eps, float ropeBase,
                           float queryScale, List<Block> blocks, float[] finalNorm, Weight embedding) {

    /**
     * One decoder layer; {@code query[n]}, {@code key[g]}, {@code value[g]} are {@code [width, headDim]},
     * {@code out} {@code [heads·headDim, width]}, {@code gate}/{@code up} {@code [width, F]}, {@code down} {@code [F, width]}.
     */
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

    /** This decoder with every matrix (the embedding too) passed through {@code convert}; vectors stay. */
    public DecoderTower map(UnaryOperator<Weight> convert) {
        List<Block> mapped = blocks.stream().map(b -> new Block(b.attnNorm(), all(b.query(), convert),
                all(b.key(), convert), all(b.value(), convert), convert.apply(b.out()), b.ffwNorm(),
                convert.apply(b.gate()), convert.apply(b.up()), convert.apply(b.down()))).toList();
        return new DecoderTower(width, heads, kvHeads, headDim, mlp, eps, ropeBase, queryScale, mapped, finalNorm,
                convert.apply(embedding));
    }

    private static Weight[] all(Weight[] ws, UnaryOperator<Weight> convert) {
        return Arrays.stream(ws).map(convert).toArray(Weight[]::new);
    }

    /** Every weight matrix of the decoder (each layer's projections, the embedding). */
    public List<Weight> weights() {
        List<Weight> all = new ArrayList<>(List.of(embedding));
        for (Block b : blocks) {
            all.addAll(List.of(b.query()));
            all.addAll(List.of(b.key()));
            all.addAll(List.of(b.value()));
            all.addAll(List.of(b.out(), b.gate(), b.up(), b.down()));
        }
        return all;
    }
}
