package paligemma4j.model;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.checkpoint.paligemma.SiglipConfig;
import paligemma4j.kernels.Weight;

/**
 * The vision tower's weights (big_vision {@code img/…}), per layer sliced from the scanned stacks.
 * Matrices are views of the checkpoint in its stored dtype; biases and norm parameters are float32.
 *
 * @param patchKernel   {@code img/embedding/kernel} [P·P·3, W] (HWIO flattened: row = (dy·P + dx)·3 + c)
 * @param positions     {@code img/pos_embedding} [N_img · W]
 * @param head          projector {@code img/head/kernel} [W, D]
 */
public record SiglipWeights(SiglipConfig config, Weight patchKernel, float[] patchBias, float[] positions,
                            List<Layer> layers, float[] encoderNormScale, float[] encoderNormBias,
                            Weight head, float[] headBias) {

    /** One encoder block: LN_0, attention (q, k, v, out as [W, W]), LN_1, MLP. */
    public record Layer(float[] ln0Scale, float[] ln0Bias,
                        Weight query, float[] queryBias, Weight key, float[] keyBias,
                        Weight value, float[] valueBias, Weight out, float[] outBias,
                        float[] ln1Scale, float[] ln1Bias,
                        Weight fc1, float[] fc1Bias, Weight fc2, float[] fc2Bias) {}

    /** These weights with every matrix (patch embedding and projector included) passed through {@code convert}. */
    public SiglipWeights map(WeightConverter convert) {
        List<Layer> mapped = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            mapped.add(new Layer(l.ln0Scale(), l.ln0Bias(),
                    convert.convert(l.query()), l.queryBias(), convert.convert(l.key()), l.keyBias(),
                    convert.convert(l.value()), l.valueBias(), convert.convert(l.out()), l.outBias(),
                    l.ln1Scale(), l.ln1Bias(),
                    convert.convert(l.fc1()), l.fc1Bias(), convert.convert(l.fc2()), l.fc2Bias()));
        }
        return new SiglipWeights(config, convert.convert(patchKernel), patchBias, positions, List.copyOf(mapped),
                encoderNormScale, encoderNormBias, convert.convert(head), headBias);
    }

    /** Per-layer views of the typed checkpoint's {@code img/…} tensors. */
    public static SiglipWeights of(PaliGemmaWeights.Vision t, SiglipConfig c, int llmWidth) {
        int w = c.width();
        int p = c.patch();
        List<Layer> layers = new ArrayList<>(c.depth());
        for (int l = 0; l < c.depth(); l++) {
            layers.add(new Layer(
                    vec(t.ln0Scale(), l), vec(t.ln0Bias(), l),
                    mat(t.queryKernel(), l, w, w), vec(t.queryBias(), l),
                    mat(t.keyKernel(), l, w, w), vec(t.keyBias(), l),
                    mat(t.valueKernel(), l, w, w), vec(t.valueBias(), l),
                    mat(t.outKernel(), l, w, w), vec(t.outBias(), l),
                    vec(t.ln1Scale(), l), vec(t.ln1Bias(), l),
                    mat(t.dense0Kernel(), l, w, c.mlp()), vec(t.dense0Bias(), l),
                    mat(t.dense1Kernel(), l, c.mlp(), w), vec(t.dense1Bias(), l)));
        }
        return new SiglipWeights(c,
                WeightViews.matrix(t.embeddingKernel(), p * p * 3, w),
                WeightViews.vector(t.embeddingBias()),
                WeightViews.vector(t.posEmbedding()),
                List.copyOf(layers),
                WeightViews.vector(t.encoderNormScale()),
                WeightViews.vector(t.encoderNormBias()),
                WeightViews.matrix(t.headKernel(), w, llmWidth),
                WeightViews.vector(t.headBias()));
    }

    private static Weight mat(Tensor stacked, int l, int rows, int cols) {
        return WeightViews.matrix(stacked.slice(l), rows, cols);
    }

    private static float[] vec(Tensor stacked, int l) {
        return WeightViews.vector(stacked.slice(l));
    }
}
