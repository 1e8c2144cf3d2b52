package paligemma4j.checkpoint.paligemma;

import static paligemma4j.checkpoint.paligemma.PaliGemmaLayout.*;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * The towers' per-layer weights read from big_vision's tensors: scanned stacks sliced by layer, einsum kernels
 * viewed as matrices (docs/model.md#tensor-table). Matrices stay mapped in their stored type; vectors are
 * copied to float32.
 */
final class BigVisionTowers {

    private BigVisionTowers() {
    }

    /** SigLIP and the projector ({@code img/…}); q, k, v, out as {@code [W, W]}, the patch kernel HWIO as {@code [P·P·3, W]}. */
    static VitTower vision(Checkpoint c, PaliGemmaConfig config) {
        SiglipConfig v = config.vision();
        int w = v.width(), p = v.patch();
        List<VitTower.Block> blocks = new ArrayList<>(v.depth());
        for (int l = 0; l < v.depth(); l++) {
            blocks.add(new VitTower.Block(
                    vector(c, LN0_SCALE, l), vector(c, LN0_BIAS, l),
                    matrix(c.get(QUERY_KERNEL).slice(l), w, w), vector(c, QUERY_BIAS, l),
                    matrix(c.get(KEY_KERNEL).slice(l), w, w), vector(c, KEY_BIAS, l),
                    matrix(c.get(VALUE_KERNEL).slice(l), w, w), vector(c, VALUE_BIAS, l),
                    matrix(c.get(OUT_KERNEL).slice(l), w, w), vector(c, OUT_BIAS, l),
                    vector(c, LN1_SCALE, l), vector(c, LN1_BIAS, l),
                    matrix(c.get(DENSE0_KERNEL).slice(l), w, v.mlp()), vector(c, DENSE0_BIAS, l),
                    matrix(c.get(DENSE1_KERNEL).slice(l), v.mlp(), w), vector(c, DENSE1_BIAS, l)));
        }
        return new VitTower(v.numTokens(), p * p * 3, w, v.heads(), v.headDim(), v.mlp(), SiglipConfig.LAYER_NORM_EPS,
                matrix(c.get(IMG_EMBEDDING_KERNEL), p * p * 3, w), vector(c.get(IMG_EMBEDDING_BIAS)),
                vector(c.get(IMG_POS_EMBEDDING)), List.copyOf(blocks),
                vector(c.get(ENCODER_NORM_SCALE)), vector(c.get(ENCODER_NORM_BIAS)),
                matrix(c.get(HEAD_KERNEL), w, config.llm().width()), vector(c.get(HEAD_BIAS)));
    }

    /**
     * Gemma ({@code llm/…}): per layer, each query head's {@code q_einsum[l, n]} and each KV head's
     * {@code kv_einsum[l, 0|1, g]} as {@code [D, head_dim]}, {@code attn_vec_einsum[l]} as {@code [heads·head_dim, D]},
     * {@code gating_einsum[l, 0|1]} (gate, up) as {@code [D, F]}, {@code mlp/linear[l]} as {@code [F, D]}; Gemma 2's
     * {@code post_attention_norm} and {@code post_ffw_norm} scales; the run-time settings {@code s}.
     */
    static DecoderTower llm(Checkpoint c, PaliGemmaConfig config, GemmaSettings s) {
        GemmaConfig g = config.llm();
        int d = g.width(), hd = g.headDim();
        List<DecoderTower.Block> blocks = new ArrayList<>(g.depth());
        for (int l = 0; l < g.depth(); l++) {
            Tensor q = c.get(Q_EINSUM).slice(l), kv = c.get(KV_EINSUM).slice(l), gating = c.get(GATING_EINSUM).slice(l);
            Weight[] query = new Weight[g.heads()];
            for (int n = 0; n < g.heads(); n++) query[n] = matrix(q.slice(n), d, hd);
            Weight[] key = new Weight[g.kvHeads()], value = new Weight[g.kvHeads()];
            for (int k = 0; k < g.kvHeads(); k++) {
                key[k] = matrix(kv.slice(0).slice(k), d, hd);
                value[k] = matrix(kv.slice(1).slice(k), d, hd);
            }
            blocks.add(new DecoderTower.Block(vector(c, PRE_ATTENTION_NORM, l), query, key, value,
                    matrix(c.get(ATTN_VEC_EINSUM).slice(l), g.heads() * hd, d), vector(c, PRE_FFW_NORM, l),
                    matrix(gating.slice(0), d, g.mlp()), matrix(gating.slice(1), d, g.mlp()),
                    matrix(c.get(MLP_LINEAR).slice(l), g.mlp(), d),
                    g.postNorms() ? vector(c, POST_ATTENTION_NORM, l) : null,
                    g.postNorms() ? vector(c, POST_FFW_NORM, l) : null));
        }
        return new DecoderTower(d, g.heads(), g.kvHeads(), hd, g.mlp(), GemmaConfig.RMS_NORM_EPS, GemmaConfig.ROPE_BASE,
                s.queryScale().factor(g), s.attnLogitSoftCap(), s.finalLogitSoftCap(), s.slidingWindow(),
                List.copyOf(blocks), vector(c.get(FINAL_NORM)), matrix(c.get(INPUT_EMBEDDING), g.vocab(), d));
    }

    /** {@code t} viewed as a {@code [rows, cols]} matrix in its stored type; no copy. */
    static Weight matrix(Tensor t, int rows, int cols) {
        if (t.size() != (long) rows * cols) {
            throw new CheckpointException("tensor " + t.key() + ": " + t.size() + " elements cannot be viewed as ["
                    + rows + ", " + cols + "]");
        }
        WeightType type = switch (t.dtype()) {
            case FLOAT32 -> WeightType.F32;
            case BFLOAT16 -> WeightType.BF16;
            case FLOAT16 -> WeightType.F16;
            default -> throw new CheckpointException("tensor " + t.key() + ": weights must be float32, bfloat16 or "
                    + "float16, found " + t.dtype().jsonName);
        };
        return new Weight(t.data(), type, rows, cols);
    }

    private static float[] vector(Tensor t) {
        return paligemma4j.checkpoint.WeightCheck.requireFinite(t.key(), t.toFloatArray());
    }

    private static float[] vector(Checkpoint c, String stacked, int layer) {
        return vector(c.get(stacked).slice(layer));
    }
}
