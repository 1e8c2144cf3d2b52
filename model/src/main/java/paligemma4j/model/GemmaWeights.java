package paligemma4j.model;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.checkpoint.DType;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.Weight;

/**
 * The language model's weights (big_vision {@code llm/…}). Matrices are views of the checkpoint in
 * its stored dtype; RMSNorm offsets are float32. For bf16/f16 checkpoints big_vision's {@code 1 + scale} is
 * formed in float32 on CPU (XLA keeps the excess precision of its bf16 add; measured against big_vision
 * dumps, scripts/parity), so no rounding is applied here.
 *
 * @param embedding      {@code llm/embedder/input_embedding} [V, D]: input lookup and tied unembedding
 * @param embeddingDtype stored dtype of the embedding (the √D multiply happens in it, spec §9.9)
 */
public record GemmaWeights(GemmaConfig config, Weight embedding, DType embeddingDtype,
                           List<Layer> layers, float[] finalNorm) {

    /**
     * One decoder layer.
     *
     * @param query per query head n: {@code q_einsum[l, n]} [D, head_dim]
     * @param key   per KV head: {@code kv_einsum[l, 0, kv]} [D, head_dim]
     * @param value per KV head: {@code kv_einsum[l, 1, kv]} [D, head_dim]
     * @param out   {@code attn_vec_einsum[l]} viewed [heads·head_dim, D]
     * @param gate  {@code gating_einsum[l, 0]} [D, F] (GELU branch)
     * @param up    {@code gating_einsum[l, 1]} [D, F] (linear branch)
     * @param down  {@code mlp/linear[l]} [F, D]
     */
    public record Layer(float[] attnNorm, Weight[] query, Weight[] key, Weight[] value, Weight out,
                        float[] ffwNorm, Weight gate, Weight up, Weight down) {}

    /** These weights with every matrix (embedding included) passed through {@code convert}. */
    public GemmaWeights map(WeightConverter convert) {
        List<Layer> mapped = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            mapped.add(new Layer(l.attnNorm(), all(l.query(), convert), all(l.key(), convert), all(l.value(), convert),
                    convert.convert(l.out()), l.ffwNorm(), convert.convert(l.gate()), convert.convert(l.up()),
                    convert.convert(l.down())));
        }
        return new GemmaWeights(config, convert.convert(embedding), embeddingDtype, List.copyOf(mapped), finalNorm);
    }

    private static Weight[] all(Weight[] ws, WeightConverter convert) {
        Weight[] out = new Weight[ws.length];
        for (int i = 0; i < ws.length; i++) out[i] = convert.convert(ws[i]);
        return out;
    }

    /** Per-layer views of the typed checkpoint's {@code llm/…} tensors. */
    public static GemmaWeights of(PaliGemmaWeights.Llm t, GemmaConfig c) {
        int d = c.width();
        int hd = c.headDim();
        List<Layer> layers = new ArrayList<>(c.depth());
        for (int l = 0; l < c.depth(); l++) {
            Tensor q = t.qEinsum().slice(l);
            Tensor kv = t.kvEinsum().slice(l);
            Tensor gating = t.gatingEinsum().slice(l);
            Weight[] query = new Weight[c.heads()];
            for (int n = 0; n < c.heads(); n++) query[n] = WeightViews.matrix(q.slice(n), d, hd);
            Weight[] key = new Weight[c.kvHeads()];
            Weight[] value = new Weight[c.kvHeads()];
            for (int k = 0; k < c.kvHeads(); k++) {
                key[k] = WeightViews.matrix(kv.slice(0).slice(k), d, hd);
                value[k] = WeightViews.matrix(kv.slice(1).slice(k), d, hd);
            }
            layers.add(new Layer(
                    WeightViews.vector(t.preAttentionNorm().slice(l)),
                    query, key, value,
                    WeightViews.matrix(t.attnVecEinsum().slice(l), c.heads() * hd, d),
                    WeightViews.vector(t.preFfwNorm().slice(l)),
                    WeightViews.matrix(gating.slice(0), d, c.mlp()),
                    WeightViews.matrix(gating.slice(1), d, c.mlp()),
                    WeightViews.matrix(t.linear().slice(l), c.mlp(), d)));
        }
        Tensor emb = t.inputEmbedding();
        return new GemmaWeights(c, WeightViews.matrix(emb, c.vocab(), d), emb.dtype(), List.copyOf(layers),
                WeightViews.vector(t.finalNorm()));
    }
}
