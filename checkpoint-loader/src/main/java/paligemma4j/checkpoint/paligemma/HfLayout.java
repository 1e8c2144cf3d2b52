package paligemma4j.checkpoint.paligemma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face PaliGemma tensor names (docs/model.md#hugging-face-checkpoints). Every layout in use is brought
 * to one canonical name: the Hub's ({@code vision_tower.vision_model.*}, {@code multi_modal_projector.*},
 * {@code language_model.model.*}), the one transformers 5 writes for a model it built ({@code vision_tower.embeddings…},
 * no {@code vision_model}) and the native 5.x one ({@code model.vision_tower…}, {@code model.language_model…}).
 * Canonical names are {@code vision.*}, {@code projector.*}, {@code text.*} and {@code lm_head}; the per-layer rows
 * are tables, so a variant's extra tensors (Gemma 2's extra norms) are extra rows.
 */
public final class HfLayout {
    private HfLayout() {}

    /** The untied output projection some files carry; PaliGemma ties it to the embedding, so it is checked and dropped. */
    public static final String LM_HEAD = "lm_head";

    /** A per-layer tensor: its name under {@code …layers.N.} and its shape as a function of the sizes. */
    record Row(String name, Shape shape) {}

    interface Shape {
        long[] of(PaliGemmaConfig c);
    }

    /** SigLIP encoder layer, under {@code vision.encoder.layers.N.}; linear weights (out, in). */
    static final List<Row> VISION_LAYER = List.of(
            new Row("layer_norm1.weight", c -> new long[] {c.vision().width()}),
            new Row("layer_norm1.bias", c -> new long[] {c.vision().width()}),
            new Row("self_attn.q_proj.weight", c -> new long[] {c.vision().width(), c.vision().width()}),
            new Row("self_attn.q_proj.bias", c -> new long[] {c.vision().width()}),
            new Row("self_attn.k_proj.weight", c -> new long[] {c.vision().width(), c.vision().width()}),
            new Row("self_attn.k_proj.bias", c -> new long[] {c.vision().width()}),
            new Row("self_attn.v_proj.weight", c -> new long[] {c.vision().width(), c.vision().width()}),
            new Row("self_attn.v_proj.bias", c -> new long[] {c.vision().width()}),
            new Row("self_attn.out_proj.weight", c -> new long[] {c.vision().width(), c.vision().width()}),
            new Row("self_attn.out_proj.bias", c -> new long[] {c.vision().width()}),
            new Row("layer_norm2.weight", c -> new long[] {c.vision().width()}),
            new Row("layer_norm2.bias", c -> new long[] {c.vision().width()}),
            new Row("mlp.fc1.weight", c -> new long[] {c.vision().mlp(), c.vision().width()}),
            new Row("mlp.fc1.bias", c -> new long[] {c.vision().mlp()}),
            new Row("mlp.fc2.weight", c -> new long[] {c.vision().width(), c.vision().mlp()}),
            new Row("mlp.fc2.bias", c -> new long[] {c.vision().width()}));

    /** A decoder layer's attention projections, q/k/v/o separate, (out, in): the same in Gemma and Gemma 2. */
    private static final List<Row> ATTENTION = List.of(
            new Row("self_attn.q_proj.weight", c -> new long[] {(long) c.llm().heads() * c.llm().headDim(), c.llm().width()}),
            new Row("self_attn.k_proj.weight", c -> new long[] {(long) c.llm().kvHeads() * c.llm().headDim(), c.llm().width()}),
            new Row("self_attn.v_proj.weight", c -> new long[] {(long) c.llm().kvHeads() * c.llm().headDim(), c.llm().width()}),
            new Row("self_attn.o_proj.weight", c -> new long[] {c.llm().width(), (long) c.llm().heads() * c.llm().headDim()}));

    /** A decoder layer's GeGLU MLP, (out, in): the same in Gemma and Gemma 2. */
    private static final List<Row> MLP = List.of(
            new Row("mlp.gate_proj.weight", c -> new long[] {c.llm().mlp(), c.llm().width()}),
            new Row("mlp.up_proj.weight", c -> new long[] {c.llm().mlp(), c.llm().width()}),
            new Row("mlp.down_proj.weight", c -> new long[] {c.llm().width(), c.llm().mlp()}));

    /** Gemma decoder layer, under {@code text.layers.N.}: a norm before attention and one before the MLP. */
    static final List<Row> GEMMA_LAYER = layer(ATTENTION, norms("post_attention_layernorm.weight"), MLP);

    /**
     * Gemma 2 decoder layer: transformers' Gemma2 names its four norms input_layernorm (before attention),
     * post_attention_layernorm (of the attention output: not Gemma 1's pre-MLP norm of that name),
     * pre_feedforward_layernorm and post_feedforward_layernorm.
     */
    static final List<Row> GEMMA2_LAYER = layer(ATTENTION, norms("post_attention_layernorm.weight",
            "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight"), MLP);

    /** input_layernorm, the attention, the norms between attention and MLP, then the MLP. */
    private static List<Row> layer(List<Row> attention, List<Row> norms, List<Row> mlp) {
        List<Row> rows = new ArrayList<>(norms("input_layernorm.weight"));
        rows.addAll(attention);
        rows.addAll(norms);
        rows.addAll(mlp);
        return List.copyOf(rows);
    }

    private static List<Row> norms(String... names) {
        return Arrays.stream(names).map(n -> new Row(n, c -> new long[] {c.llm().width()})).toList();
    }

    static final String PATCH_WEIGHT = "vision.embeddings.patch_embedding.weight";
    static final String PATCH_BIAS = "vision.embeddings.patch_embedding.bias";
    static final String POSITIONS = "vision.embeddings.position_embedding.weight";
    static final String POST_NORM_WEIGHT = "vision.post_layernorm.weight";
    static final String POST_NORM_BIAS = "vision.post_layernorm.bias";
    static final String PROJECTOR_WEIGHT = "projector.linear.weight";
    static final String PROJECTOR_BIAS = "projector.linear.bias";
    static final String EMBED = "text.embed_tokens.weight";
    static final String TEXT_NORM = "text.norm.weight";

    static String visionLayer(int l, String row) {
        return "vision.encoder.layers." + l + "." + row;
    }

    static String textLayer(int l, String row) {
        return "text.layers." + l + "." + row;
    }

    private static final Pattern LAYER = Pattern.compile("^(vision\\.encoder|text)\\.layers\\.(\\d+)\\.");

    /**
     * The canonical name of a stored key, or null for a key of no layout this reader knows. {@code model.} in front,
     * {@code vision_model.} inside the vision tower and {@code model.} inside the language model are optional.
     */
    static String canonical(String key) {
        String k = key.startsWith("model.") ? key.substring(6) : key;
        if (k.equals("lm_head.weight") || k.equals("language_model.lm_head.weight")) return LM_HEAD;
        if (k.startsWith("vision_tower.")) {
            k = k.substring("vision_tower.".length());
            if (k.startsWith("vision_model.")) k = k.substring("vision_model.".length());
            return "vision." + k;
        }
        if (k.startsWith("multi_modal_projector.")) return "projector." + k.substring("multi_modal_projector.".length());
        if (k.startsWith("language_model.")) {
            k = k.substring("language_model.".length());
            if (k.startsWith("model.")) k = k.substring("model.".length());
            return "text." + k;
        }
        return null;
    }

    /** True when {@code keys} look like a Hugging Face PaliGemma (some key of a known layout). */
    public static boolean recognizes(Iterable<String> keys) {
        for (String k : keys) if (canonical(k) != null && !LM_HEAD.equals(canonical(k))) return true;
        return false;
    }

    /** Layers present for {@code prefix} ({@code vision.encoder} or {@code text}): one more than the highest index. */
    static int depth(Map<String, long[]> canonicalShapes, String prefix) {
        int n = 0;
        for (String k : canonicalShapes.keySet()) {
            Matcher m = LAYER.matcher(k);
            if (m.find() && m.group(1).equals(prefix)) n = Math.max(n, Integer.parseInt(m.group(2)) + 1);
        }
        return n;
    }

    /** Every canonical name with its expected shape under {@code c} ({@code rows} = embedding rows as stored). */
    static Map<String, long[]> expectedShapes(PaliGemmaConfig c, long rows) {
        SiglipConfig v = c.vision();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(PATCH_WEIGHT, new long[] {v.width(), 3, v.patch(), v.patch()});
        m.put(PATCH_BIAS, new long[] {v.width()});
        m.put(POSITIONS, new long[] {v.numTokens(), v.width()});
        for (int l = 0; l < v.depth(); l++) for (Row r : VISION_LAYER) m.put(visionLayer(l, r.name()), r.shape().of(c));
        m.put(POST_NORM_WEIGHT, new long[] {v.width()});
        m.put(POST_NORM_BIAS, new long[] {v.width()});
        m.put(PROJECTOR_WEIGHT, new long[] {c.llm().width(), v.width()});
        m.put(PROJECTOR_BIAS, new long[] {c.llm().width()});
        m.put(EMBED, new long[] {rows, c.llm().width()});
        List<Row> layer = c.llm().postNorms() ? GEMMA2_LAYER : GEMMA_LAYER;
        for (int l = 0; l < c.llm().depth(); l++) for (Row r : layer) m.put(textLayer(l, r.name()), r.shape().of(c));
        m.put(TEXT_NORM, new long[] {c.llm().width()});
        return m;
    }

    /** Missing, unexpected and mis-shaped tensors, named as stored ({@code stored} maps canonical → stored key). */
    static List<String> problems(Map<String, long[]> shapes, Map<String, String> stored, PaliGemmaConfig c, long rows) {
        Map<String, long[]> expected = expectedShapes(c, rows);
        List<String> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            long[] actual = shapes.get(e.getKey());
            if (actual == null) {
                out.add("missing " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!Arrays.equals(actual, e.getValue())) {
                out.add(stored.get(e.getKey()) + ": expected shape " + Arrays.toString(e.getValue()) + ", found "
                        + Arrays.toString(actual));
            }
        }
        for (var e : shapes.entrySet()) {
            if (!expected.containsKey(e.getKey()) && !e.getKey().equals(LM_HEAD)) {
                out.add("unexpected " + stored.get(e.getKey()) + " " + Arrays.toString(e.getValue()));
            }
        }
        return out;
    }
}
