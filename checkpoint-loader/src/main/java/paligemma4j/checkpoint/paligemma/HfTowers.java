package paligemma4j.checkpoint.paligemma;

import static paligemma4j.checkpoint.paligemma.HfLayout.*;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;

/**
 * The towers' per-layer weights read from a Hugging Face PaliGemma: linear weights as input-first copies
 * ({@link InputFirstCopies}; each source's mapped pages released once copied), vectors as float32, the tied
 * embedding mapped as stored and cut to the vocabulary (the padded rows past {@code <image>} are never logits).
 */
final class HfTowers {
    private HfTowers() {}

    /** SigLIP and the projector. */
    static VitTower vision(Checkpoint c, Map<String, Tensor> t, PaliGemmaConfig config, HfConfig hf, Arena arena) {
        SiglipConfig v = config.vision();
        int w = v.width(), p = v.patch();
        List<VitTower.Block> blocks = new ArrayList<>(v.depth());
        for (int l = 0; l < v.depth(); l++) {
            final int layer = l;
            java.util.function.Function<String, Tensor> at = row -> t.get(visionLayer(layer, row));
            blocks.add(new VitTower.Block(
                    vector(at.apply("layer_norm1.weight")), vector(at.apply("layer_norm1.bias")),
                    linear(c, at.apply("self_attn.q_proj.weight"), w, w, arena), vector(at.apply("self_attn.q_proj.bias")),
                    linear(c, at.apply("self_attn.k_proj.weight"), w, w, arena), vector(at.apply("self_attn.k_proj.bias")),
                    linear(c, at.apply("self_attn.v_proj.weight"), w, w, arena), vector(at.apply("self_attn.v_proj.bias")),
                    linear(c, at.apply("self_attn.out_proj.weight"), w, w, arena), vector(at.apply("self_attn.out_proj.bias")),
                    vector(at.apply("layer_norm2.weight")), vector(at.apply("layer_norm2.bias")),
                    linear(c, at.apply("mlp.fc1.weight"), v.mlp(), w, arena), vector(at.apply("mlp.fc1.bias")),
                    linear(c, at.apply("mlp.fc2.weight"), w, v.mlp(), arena), vector(at.apply("mlp.fc2.bias"))));
        }
        Tensor patch = t.get(PATCH_WEIGHT);
        Weight patchKernel = InputFirstCopies.patchKernel(patch, w, p, arena);
        c.release(patch.data());
        return new VitTower(v.numTokens(), p * p * 3, w, v.heads(), v.headDim(), v.mlp(), hf.visionEps(),
                patchKernel, vector(t.get(PATCH_BIAS)), vector(t.get(POSITIONS)), List.copyOf(blocks),
                vector(t.get(POST_NORM_WEIGHT)), vector(t.get(POST_NORM_BIAS)),
                linear(c, t.get(PROJECTOR_WEIGHT), config.llm().width(), w, arena), vector(t.get(PROJECTOR_BIAS)));
    }

    /**
     * Gemma: q split per head into {@code [D, head_dim]} blocks, k and v per KV head, o as {@code [heads·head_dim, D]}.
     * Gemma 2's pre-MLP norm is pre_feedforward_layernorm and its post_attention_layernorm a post norm (HfLayout).
     */
    static DecoderTower llm(Checkpoint c, Map<String, Tensor> t, PaliGemmaConfig config, HfConfig hf, GemmaSettings s,
                            Arena arena) {
        GemmaConfig g = config.llm();
        int d = g.width(), hd = g.headDim();
        List<DecoderTower.Block> blocks = new ArrayList<>(g.depth());
        for (int l = 0; l < g.depth(); l++) {
            Tensor q = t.get(textLayer(l, "self_attn.q_proj.weight")), k = t.get(textLayer(l, "self_attn.k_proj.weight")),
                    v = t.get(textLayer(l, "self_attn.v_proj.weight"));
            Weight[] query = heads(c, q, g.heads(), hd, d, arena);
            Weight[] key = heads(c, k, g.kvHeads(), hd, d, arena), value = heads(c, v, g.kvHeads(), hd, d, arena);
            blocks.add(new DecoderTower.Block(vector(t.get(textLayer(l, "input_layernorm.weight"))), query, key, value,
                    linear(c, t.get(textLayer(l, "self_attn.o_proj.weight")), d, g.heads() * hd, arena),
                    vector(t.get(textLayer(l, g.postNorms() ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"))),
                    linear(c, t.get(textLayer(l, "mlp.gate_proj.weight")), g.mlp(), d, arena),
                    linear(c, t.get(textLayer(l, "mlp.up_proj.weight")), g.mlp(), d, arena),
                    linear(c, t.get(textLayer(l, "mlp.down_proj.weight")), d, g.mlp(), arena),
                    g.postNorms() ? vector(t.get(textLayer(l, "post_attention_layernorm.weight"))) : null,
                    g.postNorms() ? vector(t.get(textLayer(l, "post_feedforward_layernorm.weight"))) : null));
        }
        Tensor e = t.get(EMBED);
        Weight embedding = BigVisionTowers.matrix(e, (int) e.dim(0), d).rowSlice(0, g.vocab());
        return new DecoderTower(d, g.heads(), g.kvHeads(), hd, g.mlp(), hf.rmsEps(), hf.ropeTheta(), s.queryScale().factor(g),
                s.attnLogitSoftCap(), s.finalLogitSoftCap(), s.slidingWindow(), List.copyOf(blocks), vector(t.get(TEXT_NORM)),
                embedding);
    }

    /** An output-first {@code [out, in]} linear weight as an input-first copy; its mapped pages released. */
    private static Weight linear(Checkpoint c, Tensor t, int out, int in, Arena arena) {
        Weight w = InputFirstCopies.transposed(t, 0, out, in, arena);
        c.release(t.data());
        return w;
    }

    /** {@code [n·hd, D]} cut into n heads, each an input-first {@code [D, hd]} copy. */
    private static Weight[] heads(Checkpoint c, Tensor t, int n, int hd, int d, Arena arena) {
        Weight[] out = new Weight[n];
        for (int h = 0; h < n; h++) out[h] = InputFirstCopies.transposed(t, (long) h * hd, hd, d, arena);
        c.release(t.data());
        return out;
    }

    private static float[] vector(Tensor t) {
        return t.toFloatArray();
    }
}
