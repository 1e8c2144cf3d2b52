package paligemma4j.checkpoint.paligemma;

import static paligemma4j.checkpoint.paligemma.HfLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * The towers' per-layer weights read from a Hugging Face PaliGemma: linear weights mapped as stored, output-first
 * {@code [out, in]} ({@link Weight.Orientation#OUTPUT_FIRST}; q, k and v cut per head as row slices), vectors as
 * float32, the tied embedding mapped as stored and cut to the vocabulary (the padded rows past {@code <image>} are
 * never logits). Only the conv patch kernel is copied, reordered to big_vision's HWIO matmul (a few MB).
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
                    linear(at.apply("self_attn.q_proj.weight"), w, w), vector(at.apply("self_attn.q_proj.bias")),
                    linear(at.apply("self_attn.k_proj.weight"), w, w), vector(at.apply("self_attn.k_proj.bias")),
                    linear(at.apply("self_attn.v_proj.weight"), w, w), vector(at.apply("self_attn.v_proj.bias")),
                    linear(at.apply("self_attn.out_proj.weight"), w, w), vector(at.apply("self_attn.out_proj.bias")),
                    vector(at.apply("layer_norm2.weight")), vector(at.apply("layer_norm2.bias")),
                    linear(at.apply("mlp.fc1.weight"), v.mlp(), w), vector(at.apply("mlp.fc1.bias")),
                    linear(at.apply("mlp.fc2.weight"), w, v.mlp()), vector(at.apply("mlp.fc2.bias"))));
        }
        Tensor patch = t.get(PATCH_WEIGHT);
        Weight patchKernel = patchKernel(patch, w, p, arena);
        c.release(patch.data());
        return new VitTower(v.numTokens(), p * p * 3, w, v.heads(), v.headDim(), v.mlp(), hf.visionEps(),
                patchKernel, vector(t.get(PATCH_BIAS)), vector(t.get(POSITIONS)), List.copyOf(blocks),
                vector(t.get(POST_NORM_WEIGHT)), vector(t.get(POST_NORM_BIAS)),
                linear(t.get(PROJECTOR_WEIGHT), config.llm().width(), w), vector(t.get(PROJECTOR_BIAS)));
    }

    /**
     * Gemma: q split per head into output-first {@code [head_dim, D]} row slices, k and v per KV head, o as stored
     * {@code [D, heads·head_dim]}.
     * Gemma 2's pre-MLP norm is pre_feedforward_layernorm and its post_attention_layernorm a post norm (HfLayout).
     */
    static DecoderTower llm(Map<String, Tensor> t, PaliGemmaConfig config, HfConfig hf, GemmaSettings s) {
        GemmaConfig g = config.llm();
        int d = g.width(), hd = g.headDim();
        List<DecoderTower.Block> blocks = new ArrayList<>(g.depth());
        for (int l = 0; l < g.depth(); l++) {
            Tensor q = t.get(textLayer(l, "self_attn.q_proj.weight")), k = t.get(textLayer(l, "self_attn.k_proj.weight")),
                    v = t.get(textLayer(l, "self_attn.v_proj.weight"));
            Weight[] query = heads(q, g.heads(), hd, d);
            Weight[] key = heads(k, g.kvHeads(), hd, d), value = heads(v, g.kvHeads(), hd, d);
            blocks.add(new DecoderTower.Block(vector(t.get(textLayer(l, "input_layernorm.weight"))), query, key, value,
                    linear(t.get(textLayer(l, "self_attn.o_proj.weight")), d, g.heads() * hd),
                    vector(t.get(textLayer(l, g.postNorms() ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"))),
                    linear(t.get(textLayer(l, "mlp.gate_proj.weight")), g.mlp(), d),
                    linear(t.get(textLayer(l, "mlp.up_proj.weight")), g.mlp(), d),
                    linear(t.get(textLayer(l, "mlp.down_proj.weight")), d, g.mlp()),
                    g.postNorms() ? vector(t.get(textLayer(l, "post_attention_layernorm.weight"))) : null,
                    g.postNorms() ? vector(t.get(textLayer(l, "post_feedforward_layernorm.weight"))) : null));
        }
        Tensor e = t.get(EMBED);
        Weight embedding = BigVisionTowers.matrix(e, (int) e.dim(0), d).rowSlice(0, g.vocab());
        return new DecoderTower(d, g.heads(), g.kvHeads(), hd, g.mlp(), hf.rmsEps(), hf.ropeTheta(), s.queryScale().factor(g),
                s.attnLogitSoftCap(), s.finalLogitSoftCap(), s.slidingWindow(), List.copyOf(blocks), vector(t.get(TEXT_NORM)),
                embedding);
    }

    /** An output-first {@code [out, in]} linear weight, mapped as stored. */
    private static Weight linear(Tensor t, int out, int in) {
        Weight m = BigVisionTowers.matrix(t, out, in);
        return Weight.outputFirst(m.data(), m.type(), out, in);
    }

    /** {@code [n·hd, D]} cut into n heads, each the output-first {@code [hd, D]} rows of one head (no copy). */
    private static Weight[] heads(Tensor t, int n, int hd, int d) {
        Weight all = linear(t, n * hd, d);
        Weight[] out = new Weight[n];
        for (int h = 0; h < n; h++) out[h] = all.rowSlice(h * hd, hd);
        return out;
    }

    /** The conv patch kernel {@code (W, 3, P, P)} (OIHW) as big_vision's HWIO matmul {@code [P·P·3, W]}: a copy. */
    static Weight patchKernel(Tensor t, int width, int patch, Arena arena) {
        WeightType type = BigVisionTowers.matrix(t, width, patch * patch * 3).type();
        int e = type.bytes, k = patch * patch * 3;
        MemorySegment src = t.data(), dst = arena.allocate((long) k * width * e, 64);
        for (int o = 0; o < width; o++) {
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < patch; y++) {
                    for (int x = 0; x < patch; x++) {
                        long from = (((long) o * 3 + ch) * patch + y) * patch + x;
                        long row = ((long) y * patch + x) * 3 + ch;
                        MemorySegment.copy(src, from * e, dst, (row * width + o) * e, e);
                    }
                }
            }
        }
        return new Weight(dst, type, k, width);
    }

    private static float[] vector(Tensor t) {
        return t.toFloatArray();
    }
}
