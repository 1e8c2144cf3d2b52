package paligemma4j.checkpoint.paligemma;

import static paligemma4j.checkpoint.paligemma.PaliGemmaLayout.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;

/**
 * The 32 tensors of a PaliGemma checkpoint (docs/model.md#tensor-table), validated against the config inferred
 * from their shapes. Tensors are the checkpoint's own views (no copy; valid until it is closed).
 * Scanned layers keep their leading layer axis: {@code vision.queryKernel().slice(l)} is layer l.
 *
 * @param config the sizes, inferred from the shapes
 * @param vision SigLIP tower and projector ({@code img/…})
 * @param llm    Gemma decoder ({@code llm/…})
 */
public record PaliGemmaWeights(PaliGemmaConfig config, Vision vision, Llm llm) {

    /**
     * {@code img/…} tensors; shapes with L = vision depth, W = width, H × E = heads × head_dim, M = mlp,
     * P = patch, N = image tokens, D = LLM width.
     *
     * @param embeddingKernel  {@code img/embedding/kernel} [P, P, 3, W] (HWIO)
     * @param embeddingBias    {@code img/embedding/bias} [W]
     * @param posEmbedding     {@code img/pos_embedding} [1, N, W]
     * @param ln0Scale         {@code …/LayerNorm_0/scale} [L, W], pre-attention
     * @param ln0Bias          {@code …/LayerNorm_0/bias} [L, W]
     * @param queryKernel      {@code …/query/kernel} [L, W, H, E]
     * @param queryBias        {@code …/query/bias} [L, H, E]
     * @param keyKernel        {@code …/key/kernel} [L, W, H, E]
     * @param keyBias          {@code …/key/bias} [L, H, E]
     * @param valueKernel      {@code …/value/kernel} [L, W, H, E]
     * @param valueBias        {@code …/value/bias} [L, H, E]
     * @param outKernel        {@code …/out/kernel} [L, H, E, W]
     * @param outBias          {@code …/out/bias} [L, W]
     * @param ln1Scale         {@code …/LayerNorm_1/scale} [L, W], pre-MLP
     * @param ln1Bias          {@code …/LayerNorm_1/bias} [L, W]
     * @param dense0Kernel     {@code …/MlpBlock_0/Dense_0/kernel} [L, W, M]
     * @param dense0Bias       {@code …/MlpBlock_0/Dense_0/bias} [L, M]
     * @param dense1Kernel     {@code …/MlpBlock_0/Dense_1/kernel} [L, M, W]
     * @param dense1Bias       {@code …/MlpBlock_0/Dense_1/bias} [L, W]
     * @param encoderNormScale {@code img/Transformer/encoder_norm/scale} [W]
     * @param encoderNormBias  {@code img/Transformer/encoder_norm/bias} [W]
     * @param headKernel       {@code img/head/kernel} [W, D], the projector
     * @param headBias         {@code img/head/bias} [D]
     */
    public record Vision(Tensor embeddingKernel, Tensor embeddingBias, Tensor posEmbedding,
                         Tensor ln0Scale, Tensor ln0Bias,
                         Tensor queryKernel, Tensor queryBias, Tensor keyKernel, Tensor keyBias,
                         Tensor valueKernel, Tensor valueBias, Tensor outKernel, Tensor outBias,
                         Tensor ln1Scale, Tensor ln1Bias,
                         Tensor dense0Kernel, Tensor dense0Bias, Tensor dense1Kernel, Tensor dense1Bias,
                         Tensor encoderNormScale, Tensor encoderNormBias,
                         Tensor headKernel, Tensor headBias) {}

    /**
     * {@code llm/…} tensors; shapes with L = depth, V = vocab, D = width, N = query heads, K = KV heads,
     * H = head_dim, F = mlp.
     *
     * @param inputEmbedding   {@code llm/embedder/input_embedding} [V, D], also the tied output projection
     * @param preAttentionNorm {@code llm/layers/pre_attention_norm/scale} [L, D] (multiplier is 1 + scale)
     * @param qEinsum          {@code llm/layers/attn/q_einsum/w} [L, N, D, H]
     * @param kvEinsum         {@code llm/layers/attn/kv_einsum/w} [L, 2 (0 = K, 1 = V), K, D, H]
     * @param attnVecEinsum    {@code llm/layers/attn/attn_vec_einsum/w} [L, N, H, D]
     * @param preFfwNorm       {@code llm/layers/pre_ffw_norm/scale} [L, D]
     * @param gatingEinsum     {@code llm/layers/mlp/gating_einsum} [L, 2 (0 = gate, 1 = up), D, F]
     * @param linear           {@code llm/layers/mlp/linear} [L, F, D], down projection
     * @param finalNorm        {@code llm/final_norm/scale} [D]
     */
    public record Llm(Tensor inputEmbedding, Tensor preAttentionNorm, Tensor qEinsum, Tensor kvEinsum,
                      Tensor attnVecEinsum, Tensor preFfwNorm, Tensor gatingEinsum, Tensor linear, Tensor finalNorm) {}

    /**
     * Infers the config from {@code c}'s shapes, checks all 32 tensors (present, float, shaped as the
     * config says, nothing else in the file) and returns the typed view. On any defect throws ONE
     * {@link CheckpointException} listing every missing, unexpected and mis-shaped key with expected
     * vs actual shape.
     */
    public static PaliGemmaWeights of(Checkpoint c) {
        Map<String, long[]> shapes = shapes(c);
        List<String> problems = new ArrayList<>();
        PaliGemmaConfig config = PaliGemmaLayout.infer(shapes, problems);
        if (config == null) {
            List<String> all = PaliGemmaLayout.keyProblems(shapes);
            for (String p : problems) if (!all.contains(p)) all.add(p);
            problems = all;
        } else {
            problems.addAll(PaliGemmaLayout.problems(shapes, config));
        }
        for (Tensor t : c.tensors().values()) {
            if (PaliGemmaLayout.KEYS.contains(t.key()) && !t.dtype().isFloat()) problems.add(t.key() + ": expected a float dtype, found " + t.dtype().jsonName);
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(c.file() + ": not a valid PaliGemma checkpoint, " + problems.size()
                    + (problems.size() == 1 ? " problem: " : " problems: ") + String.join("; ", problems));
        }
        Vision vision = new Vision(c.get(IMG_EMBEDDING_KERNEL), c.get(IMG_EMBEDDING_BIAS), c.get(IMG_POS_EMBEDDING),
                c.get(LN0_SCALE), c.get(LN0_BIAS),
                c.get(QUERY_KERNEL), c.get(QUERY_BIAS), c.get(KEY_KERNEL), c.get(KEY_BIAS),
                c.get(VALUE_KERNEL), c.get(VALUE_BIAS), c.get(OUT_KERNEL), c.get(OUT_BIAS),
                c.get(LN1_SCALE), c.get(LN1_BIAS),
                c.get(DENSE0_KERNEL), c.get(DENSE0_BIAS), c.get(DENSE1_KERNEL), c.get(DENSE1_BIAS),
                c.get(ENCODER_NORM_SCALE), c.get(ENCODER_NORM_BIAS), c.get(HEAD_KERNEL), c.get(HEAD_BIAS));
        Llm llm = new Llm(c.get(INPUT_EMBEDDING), c.get(PRE_ATTENTION_NORM), c.get(Q_EINSUM), c.get(KV_EINSUM),
                c.get(ATTN_VEC_EINSUM), c.get(PRE_FFW_NORM), c.get(GATING_EINSUM), c.get(MLP_LINEAR), c.get(FINAL_NORM));
        return new PaliGemmaWeights(config, vision, llm);
    }

    /** The config implied by {@code c}'s shapes (no full validation; see {@link #of}). */
    public static PaliGemmaConfig infer(Checkpoint c) {
        return PaliGemmaLayout.infer(c.file().toString(), shapes(c));
    }

    /** Every tensor's shape by key, in file order. */
    static Map<String, long[]> shapes(Checkpoint c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : c.tensors().values()) shapes.put(t.key(), t.shape());
        return shapes;
    }
}
