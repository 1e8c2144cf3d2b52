package paligemma4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A whole pre-LayerNorm ViT encoder with a linear head (SigLIP + PaliGemma's projector) as a
 * {@link TowerOps} backend takes it: sizes, eps and weights, all from the checkpoint; no backend type.
 * Matrices are either {@link Weight.Orientation} (sizes below are {@code [in, out]}); vectors are float32.
 *
 * @param tokens      patches per image (N_img)
 * @param patchWidth  values per flattened patch (P·P·3)
 * @param width       residual width W (= heads · headDim)
 * @param mlp         hidden width of the MLP
 * @param eps         LayerNorm epsilon
 * @param patchKernel {@code [P·P·3, W]}, the patch embedding as a matmul
 * @param positions   {@code [N_img · W]}, added to the patch embeddings
 * @param head        the projector {@code [W, D]}
 */
public record VitTower(int tokens, int patchWidth, int width, int heads, int headDim, int mlp, float eps,
                       Weight patchKernel, float[] patchBias, float[] positions, List<Block> blocks,
                       float[] normScale, float[] normBias, Weight head, float[] headBias) {

    /** One encoder block: {@code x += attn(LN0(x)); x += mlp(LN1(x))}; q, k, v, out are {@code [W, W]}. */
    public record Block(float[] ln0Scale, float[] ln0Bias, Weight query, float[] queryBias, Weight key,
                        float[] keyBias, Weight value, float[] valueBias, Weight out, float[] outBias,
                        float[] ln1Scale, float[] ln1Bias, Weight fc1, float[] fc1Bias, Weight fc2, float[] fc2Bias) {}

    public VitTower {
        if (heads * headDim != width) {
            throw new IllegalArgumentException("ViT tower: heads × headDim = " + heads + " × " + headDim + " ≠ width " + width);
        }
        if (patchKernel.in() != patchWidth || patchKernel.out() != width) {
            throw new IllegalArgumentException("ViT tower: patch kernel is [" + patchKernel.in() + ", " + patchKernel.out()
                    + "], expected [" + patchWidth + ", " + width + "]");
        }
        if (positions.length != tokens * width) {
            throw new IllegalArgumentException("ViT tower: positions hold " + positions.length + " values, expected "
                    + tokens + " × " + width);
        }
        if (head.in() != width) {
            throw new IllegalArgumentException("ViT tower: head is [" + head.in() + ", " + head.out() + "], expected ["
                    + width + ", D]");
        }
    }

    /** This tower with every matrix passed through {@code convert} (e.g. to another storage type); vectors stay. */
    public VitTower map(UnaryOperator<Weight> convert) {
        List<Block> mapped = blocks.stream().map(b -> new Block(b.ln0Scale(), b.ln0Bias(),
                convert.apply(b.query()), b.queryBias(), convert.apply(b.key()), b.keyBias(),
                convert.apply(b.value()), b.valueBias(), convert.apply(b.out()), b.outBias(), b.ln1Scale(), b.ln1Bias(),
                convert.apply(b.fc1()), b.fc1Bias(), convert.apply(b.fc2()), b.fc2Bias())).toList();
        return new VitTower(tokens, patchWidth, width, heads, headDim, mlp, eps, convert.apply(patchKernel), patchBias,
                positions, mapped, normScale, normBias, convert.apply(head), headBias);
    }

    /** Every weight matrix of the tower (patch embedding, each block's six, the head). */
    public List<Weight> weights() {
        List<Weight> all = new ArrayList<>(List.of(patchKernel, head));
        for (Block b : blocks) all.addAll(List.of(b.query(), b.key(), b.value(), b.out(), b.fc1(), b.fc2()));
        return all;
    }
}
