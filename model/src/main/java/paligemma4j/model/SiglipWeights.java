package paligemma4j.model;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;
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

    private static final String BLOCK = "img/Transformer/encoderblock/";
    private static final String ATTN = BLOCK + "MultiHeadDotProductAttention_0/";
    private static final String MLP = BLOCK + "MlpBlock_0/";

    public static SiglipWeights of(Checkpoint ckpt, SiglipConfig c, int llmWidth) {
        int w = c.width();
        int p = c.patch();
        List<Layer> layers = new ArrayList<>(c.depth());
        for (int l = 0; l < c.depth(); l++) {
            layers.add(new Layer(
                    vec(ckpt, BLOCK + "LayerNorm_0/scale", l), vec(ckpt, BLOCK + "LayerNorm_0/bias", l),
                    mat(ckpt, ATTN + "query/kernel", l, w, w), vec(ckpt, ATTN + "query/bias", l),
                    mat(ckpt, ATTN + "key/kernel", l, w, w), vec(ckpt, ATTN + "key/bias", l),
                    mat(ckpt, ATTN + "value/kernel", l, w, w), vec(ckpt, ATTN + "value/bias", l),
                    mat(ckpt, ATTN + "out/kernel", l, w, w), vec(ckpt, ATTN + "out/bias", l),
                    vec(ckpt, BLOCK + "LayerNorm_1/scale", l), vec(ckpt, BLOCK + "LayerNorm_1/bias", l),
                    mat(ckpt, MLP + "Dense_0/kernel", l, w, c.mlp()), vec(ckpt, MLP + "Dense_0/bias", l),
                    mat(ckpt, MLP + "Dense_1/kernel", l, c.mlp(), w), vec(ckpt, MLP + "Dense_1/bias", l)));
        }
        return new SiglipWeights(c,
                WeightViews.matrix(ckpt.get("img/embedding/kernel"), p * p * 3, w),
                WeightViews.vector(ckpt.get("img/embedding/bias")),
                WeightViews.vector(ckpt.get("img/pos_embedding")),
                List.copyOf(layers),
                WeightViews.vector(ckpt.get("img/Transformer/encoder_norm/scale")),
                WeightViews.vector(ckpt.get("img/Transformer/encoder_norm/bias")),
                WeightViews.matrix(ckpt.get("img/head/kernel"), w, llmWidth),
                WeightViews.vector(ckpt.get("img/head/bias")));
    }

    private static Tensor layer(Checkpoint ckpt, String key, int l) {
        return ckpt.get(key).slice(l);
    }

    private static Weight mat(Checkpoint ckpt, String key, int l, int rows, int cols) {
        return WeightViews.matrix(layer(ckpt, key, l), rows, cols);
    }

    private static float[] vec(Checkpoint ckpt, String key, int l) {
        return WeightViews.vector(layer(ckpt, key, l));
    }
}
