package paligemma4j.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A whole Gemma decoder as a {@link TowerOps} backend takes it: sizes and constants from the
 * checkpoint/config and the weights (matrices of either {@link Weight.Orientation}, sizes given as {@code [in, out]};
 * RMSNorm offsets as stored, applied as
 * {@code 1 + scale}); no backend type.
 *
 * @param width      residual width D
 * @param kvHeads    key/value heads (1 = multi-query)
 * @param mlp        GeGLU hidden width F
 * @param eps        RMSNorm epsilon
 * @param ropeBase   RoPE base wavelength
 * @param queryScale    multiplies q after RoPE (head_dim^−1/2, or (width/heads)^−1/2 for Gemma 2 27B)
 * @param attnSoftCap   attention-logit soft-cap c, logits → c·tanh(logits/c) (Gemma 2: 50; 0 = off)
 * @param finalSoftCap  final-logit soft-cap of decode steps (Gemma 2: 30; 0 = off); the logits a prefill returns
 *                      are not capped, as in big_vision (docs/model.md#gemma-2)
 * @param slidingWindow even layers see only the last N positions, as transformers' Gemma 2 (0 = off, big_vision)
 * @param embedding     {@code [vocab, width]}, the tied unembedding
 */
public record DecoderTower(int width, int heads, int kvHeads, int headDim, int mlp, float eps, float ropeBase,
                           float queryScale, float attnSoftCap, float finalSoftCap, int slidingWindow,
                           List<Block> blocks, float[] finalNorm, Weight embedding) {

    /**
     * One decoder layer; {@code query[n]}, {@code key[g]}, {@code value[g]} are {@code [width, headDim]},
     * {@code out} {@code [heads·headDim, width]}, {@code gate}/{@code up} {@code [width, F]}, {@code down} {@code [F, width]}.
     * Gemma 2's RMSNorms of the attention output ({@code postAttnNorm}) and of the MLP output ({@code postFfwNorm})
     * are null for Gemma 1.
     */
    public record Block(float[] attnNorm, Weight[] query, Weight[] key, Weight[] value, Weight out,
                        float[] ffwNorm, Weight gate, Weight up, Weight down, float[] postAttnNorm, float[] postFfwNorm) {

        /** A Gemma 1 layer (no post norms). */
        public Block(float[] attnNorm, Weight[] query, Weight[] key, Weight[] value, Weight out,
                     float[] ffwNorm, Weight gate, Weight up, Weight down) {
            this(attnNorm, query, key, value, out, ffwNorm, gate, up, down, null, null);
        }

        public Block {
            if ((postAttnNorm == null) != (postFfwNorm == null)) {
                throw new IllegalArgumentException("decoder layer: Gemma 2 has both post norms or neither");
            }
        }
    }

    /** A Gemma 1 decoder: no soft-caps, no sliding window. */
    public DecoderTower(int width, int heads, int kvHeads, int headDim, int mlp, float eps, float ropeBase,
                        float queryScale, List<Block> blocks, float[] finalNorm, Weight embedding) {
        this(width, heads, kvHeads, headDim, mlp, eps, ropeBase, queryScale, 0f, 0f, 0, blocks, finalNorm, embedding);
    }

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
        if (!(attnSoftCap >= 0f) || !(finalSoftCap >= 0f) || Float.isInfinite(attnSoftCap) || Float.isInfinite(finalSoftCap)) {
            throw new IllegalArgumentException("decoder tower: soft-caps must be finite and ≥ 0 (0 = off), got attention "
                    + attnSoftCap + ", final " + finalSoftCap);
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("decoder tower: sliding window must be ≥ 0 (0 = off), got " + slidingWindow);
        }
    }

    /** Whether the layers have Gemma 2's post-attention and post-MLP norms. */
    public boolean postNorms() {
        return !blocks.isEmpty() && blocks.get(0).postAttnNorm() != null;
    }

    /** Whether layer {@code l} attends through the sliding window (transformers: the even layers, when one is set). */
    public boolean sliding(int l) {
        return slidingWindow > 0 && l % 2 == 0;
    }

    /** This decoder with other run-time settings (the weights stay). */
    public DecoderTower withSettings(float queryScale, float attnSoftCap, float finalSoftCap, int slidingWindow) {
        return new DecoderTower(width, heads, kvHeads, headDim, mlp, eps, ropeBase, queryScale, attnSoftCap, finalSoftCap,
                slidingWindow, blocks, finalNorm, embedding);
    }

    /** Width of a fused q|k|v row. */
    public int qkvWidth() {
        return (heads + 2 * kvHeads) * headDim;
    }

    /** This decoder with every matrix (the embedding too) passed through {@code convert}; vectors stay. */
    public DecoderTower map(UnaryOperator<Weight> convert) {
        List<Block> mapped = blocks.stream().map(b -> new Block(b.attnNorm(), all(b.query(), convert),
                all(b.key(), convert), all(b.value(), convert), convert.apply(b.out()), b.ffwNorm(),
                convert.apply(b.gate()), convert.apply(b.up()), convert.apply(b.down()), b.postAttnNorm(),
                b.postFfwNorm())).toList();
        return new DecoderTower(width, heads, kvHeads, headDim, mlp, eps, ropeBase, queryScale, attnSoftCap, finalSoftCap,
                slidingWindow, mapped, finalNorm, convert.apply(embedding));
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
