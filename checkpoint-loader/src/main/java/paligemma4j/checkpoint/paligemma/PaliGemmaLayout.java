package paligemma4j.checkpoint.paligemma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.CheckpointException;

/**
 * The big_vision PaliGemma parameter tree (docs/model.md#tensor-table): the 32 keys (without {@code params/}), the
 * shape each must have for a given {@link PaliGemmaConfig}, and the config inferred from a
 * checkpoint's shapes. Works on shapes only, so it also serves synthetic descriptions.
 */
public final class PaliGemmaLayout {
    private PaliGemmaLayout() {}

    static final String BLOCK = "img/Transformer/encoderblock/";
    static final String MHA = BLOCK + "MultiHeadDotProductAttention_0/";

    public static final String IMG_EMBEDDING_KERNEL = "img/embedding/kernel";
    public static final String IMG_EMBEDDING_BIAS = "img/embedding/bias";
    public static final String IMG_POS_EMBEDDING = "img/pos_embedding";
    public static final String LN0_SCALE = BLOCK + "LayerNorm_0/scale";
    public static final String LN0_BIAS = BLOCK + "LayerNorm_0/bias";
    public static final String QUERY_KERNEL = MHA + "query/kernel";
    public static final String QUERY_BIAS = MHA + "query/bias";
    public static final String KEY_KERNEL = MHA + "key/kernel";
    public static final String KEY_BIAS = MHA + "key/bias";
    public static final String VALUE_KERNEL = MHA + "value/kernel";
    public static final String VALUE_BIAS = MHA + "value/bias";
    public static final String OUT_KERNEL = MHA + "out/kernel";
    public static final String OUT_BIAS = MHA + "out/bias";
    public static final String LN1_SCALE = BLOCK + "LayerNorm_1/scale";
    public static final String LN1_BIAS = BLOCK + "LayerNorm_1/bias";
    public static final String DENSE0_KERNEL = BLOCK + "MlpBlock_0/Dense_0/kernel";
    public static final String DENSE0_BIAS = BLOCK + "MlpBlock_0/Dense_0/bias";
    public static final String DENSE1_KERNEL = BLOCK + "MlpBlock_0/Dense_1/kernel";
    public static final String DENSE1_BIAS = BLOCK + "MlpBlock_0/Dense_1/bias";
    public static final String ENCODER_NORM_SCALE = "img/Transformer/encoder_norm/scale";
    public static final String ENCODER_NORM_BIAS = "img/Transformer/encoder_norm/bias";
    public static final String HEAD_KERNEL = "img/head/kernel";
    public static final String HEAD_BIAS = "img/head/bias";
    public static final String INPUT_EMBEDDING = "llm/embedder/input_embedding";
    public static final String PRE_ATTENTION_NORM = "llm/layers/pre_attention_norm/scale";
    public static final String Q_EINSUM = "llm/layers/attn/q_einsum/w";
    public static final String KV_EINSUM = "llm/layers/attn/kv_einsum/w";
    public static final String ATTN_VEC_EINSUM = "llm/layers/attn/attn_vec_einsum/w";
    public static final String PRE_FFW_NORM = "llm/layers/pre_ffw_norm/scale";
    public static final String GATING_EINSUM = "llm/layers/mlp/gating_einsum";
    public static final String MLP_LINEAR = "llm/layers/mlp/linear";
    public static final String FINAL_NORM = "llm/final_norm/scale";
    public static final String POST_ATTENTION_NORM = "llm/layers/post_attention_norm/scale";
    public static final String POST_FFW_NORM = "llm/layers/post_ffw_norm/scale";

    /** The 32 keys, in the order of docs/model.md#tensor-table (any valid config gives the same key set). */
    public static final Set<String> KEYS = Collections.unmodifiableSet(new LinkedHashSet<>(expectedShapes(
            new PaliGemmaConfig(new SiglipConfig(1, 1, 1, 1, 1, 1, 1), new GemmaConfig(1, 1, 1, 1, 1, 2, 1))).keySet()));

    /** The two keys a Gemma 2 decoder adds: its post-attention and post-MLP RMSNorm scales, {@code [depth, width]}. */
    public static final Set<String> GEMMA2_KEYS = Set.of(POST_ATTENTION_NORM, POST_FFW_NORM);

    /** Whether {@code key} belongs to some PaliGemma tree (1 or 2). */
    public static boolean known(String key) {
        return KEYS.contains(key) || GEMMA2_KEYS.contains(key);
    }

    /**
     * The 32 keys (34 for a Gemma 2 decoder) with the shape each must have under {@code c}, in the order of
     * docs/model.md#tensor-table.
     */
    public static Map<String, long[]> expectedShapes(PaliGemmaConfig c) {
        SiglipConfig v = c.vision();
        GemmaConfig g = c.llm();
        long w = v.width(), l = v.depth(), h = v.heads(), e = v.headDim();
        long d = g.width(), n = g.depth();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(IMG_EMBEDDING_KERNEL, new long[] {v.patch(), v.patch(), 3, w});
        m.put(IMG_EMBEDDING_BIAS, new long[] {w});
        m.put(IMG_POS_EMBEDDING, new long[] {1, v.numTokens(), w});
        m.put(LN0_SCALE, new long[] {l, w});
        m.put(LN0_BIAS, new long[] {l, w});
        m.put(QUERY_KERNEL, new long[] {l, w, h, e});
        m.put(QUERY_BIAS, new long[] {l, h, e});
        m.put(KEY_KERNEL, new long[] {l, w, h, e});
        m.put(KEY_BIAS, new long[] {l, h, e});
        m.put(VALUE_KERNEL, new long[] {l, w, h, e});
        m.put(VALUE_BIAS, new long[] {l, h, e});
        m.put(OUT_KERNEL, new long[] {l, h, e, w});
        m.put(OUT_BIAS, new long[] {l, w});
        m.put(LN1_SCALE, new long[] {l, w});
        m.put(LN1_BIAS, new long[] {l, w});
        m.put(DENSE0_KERNEL, new long[] {l, w, v.mlp()});
        m.put(DENSE0_BIAS, new long[] {l, v.mlp()});
        m.put(DENSE1_KERNEL, new long[] {l, v.mlp(), w});
        m.put(DENSE1_BIAS, new long[] {l, w});
        m.put(ENCODER_NORM_SCALE, new long[] {w});
        m.put(ENCODER_NORM_BIAS, new long[] {w});
        m.put(HEAD_KERNEL, new long[] {w, d});
        m.put(HEAD_BIAS, new long[] {d});
        m.put(INPUT_EMBEDDING, new long[] {g.vocab(), d});
        m.put(PRE_ATTENTION_NORM, new long[] {n, d});
        m.put(Q_EINSUM, new long[] {n, g.heads(), d, g.headDim()});
        m.put(KV_EINSUM, new long[] {n, 2, g.kvHeads(), d, g.headDim()});
        m.put(ATTN_VEC_EINSUM, new long[] {n, g.heads(), g.headDim(), d});
        m.put(PRE_FFW_NORM, new long[] {n, d});
        m.put(GATING_EINSUM, new long[] {n, 2, d, g.mlp()});
        m.put(MLP_LINEAR, new long[] {n, g.mlp(), d});
        m.put(FINAL_NORM, new long[] {d});
        if (g.postNorms()) {
            m.put(POST_ATTENTION_NORM, new long[] {n, d});
            m.put(POST_FFW_NORM, new long[] {n, d});
        }
        return m;
    }

    /**
     * The config implied by the shapes (keys without {@code params/}); nothing is assumed about the
     * sizes. Resolution and patch from the patch embedding and {@code pos_embedding}; vision width,
     * depth, heads and head_dim from the query kernel; vision MLP from Dense_0; vocab and width from
     * the LLM embedding; LLM depth, heads and head_dim from {@code q_einsum}; KV heads from
     * {@code kv_einsum}; LLM MLP from {@code gating_einsum}; Gemma 2 from the presence of either post norm. Throws a {@link CheckpointException}
     * naming {@code file} and the key when a source tensor is missing or has the wrong rank.
     */
    public static PaliGemmaConfig infer(String file, Map<String, long[]> shapes) {
        List<String> problems = new ArrayList<>();
        PaliGemmaConfig c = infer(shapes, problems);
        if (c == null) {
            throw new CheckpointException(file + ": cannot infer the PaliGemma config: " + String.join("; ", problems));
        }
        return c;
    }

    /** {@link #infer(String, Map)} that adds to {@code problems} and returns null instead of throwing. */
    static PaliGemmaConfig infer(Map<String, long[]> shapes, List<String> problems) {
        int before = problems.size();
        long[] emb = source(shapes, IMG_EMBEDDING_KERNEL, 4, problems);
        long[] pos = source(shapes, IMG_POS_EMBEDDING, 3, problems);
        long[] query = source(shapes, QUERY_KERNEL, 4, problems);
        long[] dense0 = source(shapes, DENSE0_KERNEL, 3, problems);
        long[] embedder = source(shapes, INPUT_EMBEDDING, 2, problems);
        long[] q = source(shapes, Q_EINSUM, 4, problems);
        long[] kv = source(shapes, KV_EINSUM, 5, problems);
        long[] gating = source(shapes, GATING_EINSUM, 4, problems);
        if (problems.size() > before) return null;
        long tokens = pos[1];
        long grid = Math.round(Math.sqrt((double) tokens));
        if (grid * grid != tokens) {
            problems.add(IMG_POS_EMBEDDING + ": expected a square number (R/patch)² of image tokens, found " + tokens
                    + " in shape " + Arrays.toString(pos));
            return null;
        }
        long width = embedder[1];
        // [L, 2, D, F]; a file in [L, 2, F, D] order is then reported as mis-shaped by problems()
        long mlp = gating[2] == width || gating[3] != width ? gating[3] : gating[2];
        try {
            SiglipConfig vision = new SiglipConfig(toInt(grid * emb[0]), toInt(emb[0]), toInt(query[1]), toInt(query[0]),
                    toInt(dense0[2]), toInt(query[2]), toInt(query[3]));
            boolean postNorms = shapes.containsKey(POST_ATTENTION_NORM) || shapes.containsKey(POST_FFW_NORM);
            GemmaConfig llm = new GemmaConfig(toInt(embedder[0]), toInt(width), toInt(q[0]), toInt(q[1]), toInt(kv[2]),
                    toInt(q[3]), toInt(mlp), postNorms);
            return new PaliGemmaConfig(vision, llm);
        } catch (IllegalArgumentException | ArithmeticException e) {
            problems.add("inconsistent sizes: " + e.getMessage());
            return null;
        }
    }

    /**
     * Every problem with {@code shapes} against {@code c}: missing keys, unexpected keys and
     * mis-shaped keys, each with expected vs actual; empty if the tree is exactly right.
     */
    public static List<String> problems(Map<String, long[]> shapes, PaliGemmaConfig c) {
        Map<String, long[]> expected = expectedShapes(c);
        List<String> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            long[] actual = shapes.get(e.getKey());
            if (actual == null) {
                out.add("missing " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!Arrays.equals(actual, e.getValue())) {
                out.add(e.getKey() + ": expected shape " + Arrays.toString(e.getValue()) + ", found " + Arrays.toString(actual));
            }
        }
        for (var e : shapes.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                out.add("unexpected " + e.getKey() + " " + Arrays.toString(e.getValue()));
            }
        }
        return out;
    }

    /** Missing and unexpected keys only (used when the config itself cannot be inferred). */
    static List<String> keyProblems(Map<String, long[]> shapes) {
        List<String> out = new ArrayList<>();
        for (String k : KEYS) if (!shapes.containsKey(k)) out.add("missing " + k);
        for (var e : shapes.entrySet()) {
            if (!known(e.getKey())) out.add("unexpected " + e.getKey() + " " + Arrays.toString(e.getValue()));
        }
        return out;
    }

    /** The shape of {@code key}, noting in {@code problems} when it is missing or not of {@code rank}. */
    static long[] source(Map<String, long[]> shapes, String key, int rank, List<String> problems) {
        long[] s = shapes.get(key);
        if (s == null) {
            problems.add("missing " + key);
        } else if (s.length != rank) {
            problems.add(key + ": expected rank " + rank + ", found shape " + Arrays.toString(s));
        }
        return s;
    }

    /** A size as an int, refusing non-positive and too large values. */
    static int toInt(long v) {
        if (v <= 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("size " + v + " out of range");
        return (int) v;
    }
}
