package paligemma4j.checkpoint.paligemma;

import static paligemma4j.checkpoint.paligemma.HfLayout.*;
import static paligemma4j.checkpoint.paligemma.PaliGemmaLayout.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.DType;
import paligemma4j.checkpoint.NpzWriter;
import paligemma4j.checkpoint.SafetensorsWriter;
import paligemma4j.checkpoint.Tensor;

/**
 * big_vision npz (or msgpack) ↔ Hugging Face directory, tensor by tensor: each output tensor is made from the
 * mapped input one layer at a time (axis permutations of docs/model.md#layouts-and-mapping, then an optional
 * dtype change), so memory stays bounded by one layer's matrix. The Hugging Face side uses the Hub's names, a
 * {@code config.json} transformers loads, the embedding unpadded ({@code image_token_index} = vocabulary, which
 * transformers accepts) and a copy of the tokenizer found beside the source. Without a dtype change a round trip
 * is bit-exact.
 */
public final class CheckpointConverter {
    private CheckpointConverter() {}

    public enum Format { NPZ, SAFETENSORS }

    /** Told after each tensor: how many are written of how many, and its name. */
    public interface Progress {
        void tensor(int done, int total, String name);
    }

    /** One piece of an output tensor, in its source's type. */
    private record Piece(MemorySegment data, DType dtype) {}

    /** Emits an output tensor's pieces in order; temporary copies live in the arena it is given. */
    private interface Pieces {
        void emit(Arena arena, Consumer<Piece> out);
    }

    private record Item(String name, DType dtype, long[] shape, Pieces pieces) {}

    /** The format {@code src} is not in: Hugging Face → npz, anything else → safetensors. */
    public static Format opposite(Checkpoint src) {
        return src.format().equals("safetensors") ? Format.NPZ : Format.SAFETENSORS;
    }

    /** As {@link #convert(Checkpoint, Path, Format, DType, long, Progress)} with transformers' default 5 GB shards. */
    public static void convert(Checkpoint src, Path dest, Format to, DType dtype, Progress progress) {
        convert(src, dest, to, dtype, Shards.DEFAULT_MAX_BYTES, progress);
    }

    /**
     * Converts {@code src} into {@code dest} (a {@code .npz} file, or a directory for safetensors) as {@code to};
     * {@code dtype} (float32 or bfloat16) changes every tensor's type, null keeps each as stored. Safetensors
     * output is split into files of at most {@code maxShardBytes} as transformers' save_pretrained does.
     */
    public static void convert(Checkpoint src, Path dest, Format to, DType dtype, long maxShardBytes, Progress progress) {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("max shard size must be > 0, got " + maxShardBytes);
        boolean fromHf = src.format().equals("safetensors");
        if (fromHf == (to == Format.SAFETENSORS)) {
            throw new CheckpointException(src.file() + ": is already " + (fromHf ? "a Hugging Face checkpoint" : "in the big_vision layout")
                    + ", expected --to " + (fromHf ? "npz" : "safetensors"));
        }
        if (fromHf) {
            HfWeights.Checked k = HfWeights.check(src);
            toNpz(bigVisionItems(k, dtype), dest, progress);
        } else {
            PaliGemmaWeights w = PaliGemmaWeights.of(src);
            toHf(src, hfItems(src, w.config(), dtype), w.config(), w.settings(), dest, dtype, maxShardBytes, progress);
        }
    }

    private static void toNpz(List<Item> items, Path dest, Progress progress) {
        try (NpzWriter w = NpzWriter.create(dest)) {
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                w.write(it.name(), it.dtype(), it.shape(), out -> run(it, out));
                progress.tensor(i + 1, items.size(), it.name());
            }
        }
    }

    private static void toHf(Checkpoint src, List<Item> items, PaliGemmaConfig config, GemmaSettings settings, Path dir, DType dtype,
                             long maxShardBytes, Progress progress) {
        try {
            Files.createDirectories(dir);
            DType stored = dtype != null ? dtype : src.get(INPUT_EMBEDDING).dtype();
            Files.writeString(dir.resolve("config.json"), hfConfig(config, settings, stored));
            copyTokenizer(src.file(), dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write (" + e + ")", e);
        }
        long[] bytes = new long[items.size()];
        long total = 0;
        for (int i = 0; i < bytes.length; i++) {
            long n = items.get(i).dtype().bytes;
            for (long d : items.get(i).shape()) n *= d;
            bytes[i] = n;
            total += n;
        }
        int[] plan = Shards.plan(bytes, maxShardBytes);
        int shards = Shards.count(plan), done = 0;
        Map<String, String> fileOf = new LinkedHashMap<>();
        for (List<Integer> group : Shards.groups(plan)) {
            String file = Shards.fileName(plan[group.get(0)], shards);
            List<SafetensorsWriter.Spec> specs = group.stream().map(items::get)
                    .map(i -> new SafetensorsWriter.Spec(i.name(), i.dtype(), i.shape())).toList();
            try (SafetensorsWriter w = SafetensorsWriter.create(dir.resolve(file), specs, Map.of("format", "pt"))) {
                for (int i : group) {
                    Item it = items.get(i);
                    w.write(it.name(), out -> run(it, out));
                    fileOf.put(it.name(), file);
                    progress.tensor(++done, items.size(), it.name());
                }
            }
        }
        try {
            Files.deleteIfExists(dir.resolve(shards == 1 ? Shards.INDEX : Shards.SINGLE));
            if (shards > 1) Files.writeString(dir.resolve(Shards.INDEX), Shards.index(total, fileOf));
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write (" + e + ")", e);
        }
    }

    /** Runs an item's pieces, each cast to the item's type, freeing each piece's copies once it is consumed. */
    private static void run(Item it, Consumer<MemorySegment> out) {
        it.pieces().emit(null, piece -> {
            try (Arena a = Arena.ofConfined()) {
                out.accept(Permute.cast(piece.data(), piece.dtype(), it.dtype(), a));
            }
        });
    }

    /** A piece that is a tensor's bytes as stored. */
    private static Pieces raw(Tensor t) {
        return (a, out) -> out.accept(new Piece(t.data(), t.dtype()));
    }

    /** Pieces that are each tensor's bytes, in order (a stack of per-layer vectors). */
    private static Pieces stack(List<Tensor> ts) {
        return (a, out) -> {
            for (Tensor t : ts) out.accept(new Piece(t.data(), t.dtype()));
        };
    }

    /** A tensor viewed as {@code view} with its axes permuted. */
    private static Pieces perm(Tensor t, long[] view, int... perm) {
        return (a, out) -> {
            try (Arena tmp = Arena.ofConfined()) {
                out.accept(new Piece(Permute.permute(t.data(), view, perm, t.dtype().bytes, tmp), t.dtype()));
            }
        };
    }

    /** Pieces of several parts in order. */
    private static Pieces concat(List<Pieces> parts) {
        return (a, out) -> {
            for (Pieces p : parts) p.emit(a, out);
        };
    }

    private static final int[] T = {1, 0};

    private static long[] dims(long... d) {
        return d;
    }

    // ---- big_vision → Hugging Face (Hub names) ----

    private static List<Item> hfItems(Checkpoint c, PaliGemmaConfig config, DType dtype) {
        SiglipConfig v = config.vision();
        GemmaConfig g = config.llm();
        long w = v.width(), p = v.patch(), d = g.width(), hd = g.headDim(), f = g.mlp();
        List<Item> items = new ArrayList<>();
        String vt = "vision_tower.vision_model.", lm = "language_model.model.";
        Tensor kernel = c.get(IMG_EMBEDDING_KERNEL);
        add(items, dtype, vt + "embeddings.patch_embedding.weight", kernel, dims(w, 3, p, p), perm(kernel, dims(p, p, 3, w), 3, 2, 0, 1));
        add(items, dtype, vt + "embeddings.patch_embedding.bias", c.get(IMG_EMBEDDING_BIAS), dims(w), raw(c.get(IMG_EMBEDDING_BIAS)));
        add(items, dtype, vt + "embeddings.position_embedding.weight", c.get(IMG_POS_EMBEDDING), dims(v.numTokens(), w),
                raw(c.get(IMG_POS_EMBEDDING)));
        for (int l = 0; l < v.depth(); l++) {
            String b = vt + "encoder.layers." + l + ".";
            vec(items, dtype, b + "layer_norm1.weight", c.get(LN0_SCALE).slice(l));
            vec(items, dtype, b + "layer_norm1.bias", c.get(LN0_BIAS).slice(l));
            String[][] qkv = {{"q_proj", QUERY_KERNEL, QUERY_BIAS}, {"k_proj", KEY_KERNEL, KEY_BIAS}, {"v_proj", VALUE_KERNEL, VALUE_BIAS}};
            for (String[] x : qkv) {
                Tensor k = c.get(x[1]).slice(l);
                add(items, dtype, b + "self_attn." + x[0] + ".weight", k, dims(w, w), perm(k, dims(w, w), T));
                vec(items, dtype, b + "self_attn." + x[0] + ".bias", c.get(x[2]).slice(l));
            }
            Tensor o = c.get(OUT_KERNEL).slice(l);
            add(items, dtype, b + "self_attn.out_proj.weight", o, dims(w, w), perm(o, dims(w, w), T));
            vec(items, dtype, b + "self_attn.out_proj.bias", c.get(OUT_BIAS).slice(l));
            vec(items, dtype, b + "layer_norm2.weight", c.get(LN1_SCALE).slice(l));
            vec(items, dtype, b + "layer_norm2.bias", c.get(LN1_BIAS).slice(l));
            Tensor fc1 = c.get(DENSE0_KERNEL).slice(l), fc2 = c.get(DENSE1_KERNEL).slice(l);
            add(items, dtype, b + "mlp.fc1.weight", fc1, dims(v.mlp(), w), perm(fc1, dims(w, v.mlp()), T));
            vec(items, dtype, b + "mlp.fc1.bias", c.get(DENSE0_BIAS).slice(l));
            add(items, dtype, b + "mlp.fc2.weight", fc2, dims(w, v.mlp()), perm(fc2, dims(v.mlp(), w), T));
            vec(items, dtype, b + "mlp.fc2.bias", c.get(DENSE1_BIAS).slice(l));
        }
        vec(items, dtype, vt + "post_layernorm.weight", c.get(ENCODER_NORM_SCALE));
        vec(items, dtype, vt + "post_layernorm.bias", c.get(ENCODER_NORM_BIAS));
        Tensor head = c.get(HEAD_KERNEL);
        add(items, dtype, "multi_modal_projector.linear.weight", head, dims(d, w), perm(head, dims(w, d), T));
        vec(items, dtype, "multi_modal_projector.linear.bias", c.get(HEAD_BIAS));
        Tensor emb = c.get(INPUT_EMBEDDING);
        add(items, dtype, lm + "embed_tokens.weight", emb, emb.shape(), raw(emb));
        for (int l = 0; l < g.depth(); l++) {
            String b = lm + "layers." + l + ".";
            Tensor q = c.get(Q_EINSUM).slice(l), kv = c.get(KV_EINSUM).slice(l), gating = c.get(GATING_EINSUM).slice(l);
            Tensor o = c.get(ATTN_VEC_EINSUM).slice(l), down = c.get(MLP_LINEAR).slice(l);
            vec(items, dtype, b + "input_layernorm.weight", c.get(PRE_ATTENTION_NORM).slice(l));
            add(items, dtype, b + "self_attn.q_proj.weight", q, dims(g.heads() * hd, d), perm(q, dims(g.heads(), d, hd), 0, 2, 1));
            add(items, dtype, b + "self_attn.k_proj.weight", kv, dims(g.kvHeads() * hd, d),
                    perm(kv.slice(0), dims(g.kvHeads(), d, hd), 0, 2, 1));
            add(items, dtype, b + "self_attn.v_proj.weight", kv, dims(g.kvHeads() * hd, d),
                    perm(kv.slice(1), dims(g.kvHeads(), d, hd), 0, 2, 1));
            add(items, dtype, b + "self_attn.o_proj.weight", o, dims(d, g.heads() * hd), perm(o, dims(g.heads() * hd, d), T));
            if (g.postNorms()) {
                // transformers' Gemma2: post_attention_layernorm is the post norm, the pre-MLP one pre_feedforward_layernorm
                vec(items, dtype, b + "post_attention_layernorm.weight", c.get(POST_ATTENTION_NORM).slice(l));
                vec(items, dtype, b + "pre_feedforward_layernorm.weight", c.get(PRE_FFW_NORM).slice(l));
                vec(items, dtype, b + "post_feedforward_layernorm.weight", c.get(POST_FFW_NORM).slice(l));
            } else {
                vec(items, dtype, b + "post_attention_layernorm.weight", c.get(PRE_FFW_NORM).slice(l));
            }
            add(items, dtype, b + "mlp.gate_proj.weight", gating, dims(f, d), perm(gating.slice(0), dims(d, f), T));
            add(items, dtype, b + "mlp.up_proj.weight", gating, dims(f, d), perm(gating.slice(1), dims(d, f), T));
            add(items, dtype, b + "mlp.down_proj.weight", down, dims(d, f), perm(down, dims(f, d), T));
        }
        vec(items, dtype, lm + "norm.weight", c.get(PaliGemmaLayout.FINAL_NORM));
        return items;
    }

    private static void add(List<Item> items, DType dtype, String name, Tensor from, long[] shape, Pieces pieces) {
        items.add(new Item(name, target(from, dtype), shape, pieces));
    }

    private static void vec(List<Item> items, DType dtype, String name, Tensor t) {
        items.add(new Item(name, target(t, dtype), new long[] {t.size()}, raw(t)));
    }

    private static DType target(Tensor t, DType dtype) {
        return dtype != null ? dtype : t.dtype();
    }

    /**
     * A transformers 4 / 5 {@code config.json} for {@code c}: PaliGemma with a Gemma (or Gemma 2, with {@code s}'s
     * soft-caps and query scale) text model and a SigLIP vision model.
     */
    static String hfConfig(PaliGemmaConfig c, GemmaSettings s, DType dtype) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        String torch = dtype == DType.BFLOAT16 ? "bfloat16" : dtype == DType.FLOAT16 ? "float16" : "float32";
        SiglipConfig v = c.vision();
        GemmaConfig g = c.llm();
        root.putArray("architectures").add("PaliGemmaForConditionalGeneration");
        root.put("model_type", "paligemma");
        root.put("bos_token_id", 2).put("eos_token_id", 1).put("pad_token_id", 0);
        root.put("hidden_size", g.width()).put("projection_dim", g.width());
        root.put("image_token_index", g.vocab());
        root.put("torch_dtype", torch);
        ObjectNode t = root.putObject("text_config");
        t.put("model_type", "gemma").put("hidden_size", g.width()).put("intermediate_size", g.mlp())
                .put("num_hidden_layers", g.depth()).put("num_attention_heads", g.heads())
                .put("num_key_value_heads", g.kvHeads()).put("head_dim", g.headDim()).put("vocab_size", g.vocab())
                .put("hidden_activation", "gelu_pytorch_tanh").put("rms_norm_eps", GemmaConfig.RMS_NORM_EPS)
                .put("rope_theta", GemmaConfig.ROPE_BASE).put("num_image_tokens", v.numTokens()).put("torch_dtype", torch);
        if (g.postNorms()) {
            // a cap of 0 is off, which transformers writes as null; sliding_window is Gemma2Config's (the Hub's) value
            t.put("model_type", "gemma2")
                    .put("query_pre_attn_scalar", s.queryScale() == QueryScale.HEAD_DIM ? g.headDim() : g.width() / g.heads())
                    .put("sliding_window", 4096);
            if (s.attnLogitSoftCap() > 0) t.put("attn_logit_softcapping", s.attnLogitSoftCap()); else t.putNull("attn_logit_softcapping");
            if (s.finalLogitSoftCap() > 0) t.put("final_logit_softcapping", s.finalLogitSoftCap()); else t.putNull("final_logit_softcapping");
        }
        ObjectNode vc = root.putObject("vision_config");
        vc.put("model_type", "siglip_vision_model").put("hidden_size", v.width()).put("intermediate_size", v.mlp())
                .put("num_hidden_layers", v.depth()).put("num_attention_heads", v.heads()).put("patch_size", v.patch())
                .put("image_size", v.resolution()).put("num_image_tokens", v.numTokens()).put("projection_dim", g.width())
                .put("projector_hidden_act", "gelu_fast").put("hidden_act", "gelu_pytorch_tanh")
                .put("layer_norm_eps", SiglipConfig.LAYER_NORM_EPS).put("vision_use_head", false).put("torch_dtype", torch);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The big_vision tokenizer beside the source, copied in under the name transformers uses. */
    private static void copyTokenizer(Path src, Path dir) throws IOException {
        Path base = Files.isDirectory(src) ? src : src.toAbsolutePath().getParent();
        for (String name : List.of("paligemma_tokenizer.model", "tokenizer.model", "tokenizer.json")) {
            Path t = base.resolve(name);
            if (Files.isRegularFile(t)) {
                Files.copy(t, dir.resolve(name.endsWith(".json") ? "tokenizer.json" : "tokenizer.model"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return;
            }
        }
    }

    // ---- Hugging Face → big_vision ----

    private static List<Item> bigVisionItems(HfWeights.Checked k, DType dtype) {
        Map<String, Tensor> t = k.tensors().tensors();
        PaliGemmaConfig config = k.config();
        SiglipConfig v = config.vision();
        GemmaConfig g = config.llm();
        long w = v.width(), p = v.patch(), d = g.width(), hd = g.headDim(), f = g.mlp();
        int vl = v.depth(), gl = g.depth();
        List<Item> items = new ArrayList<>();
        Tensor patch = t.get(PATCH_WEIGHT);
        put(items, dtype, IMG_EMBEDDING_KERNEL, patch, dims(p, p, 3, w), perm(patch, dims(w, 3, p, p), 2, 3, 1, 0));
        put(items, dtype, IMG_EMBEDDING_BIAS, t.get(PATCH_BIAS), dims(w), raw(t.get(PATCH_BIAS)));
        put(items, dtype, IMG_POS_EMBEDDING, t.get(POSITIONS), dims(1, v.numTokens(), w), raw(t.get(POSITIONS)));
        visionStack(items, dtype, t, LN0_SCALE, "layer_norm1.weight", vl, dims(vl, w), null);
        visionStack(items, dtype, t, LN0_BIAS, "layer_norm1.bias", vl, dims(vl, w), null);
        long h = v.heads(), e = v.headDim();
        visionStack(items, dtype, t, QUERY_KERNEL, "self_attn.q_proj.weight", vl, dims(vl, w, h, e), dims(w, w));
        visionStack(items, dtype, t, QUERY_BIAS, "self_attn.q_proj.bias", vl, dims(vl, h, e), null);
        visionStack(items, dtype, t, KEY_KERNEL, "self_attn.k_proj.weight", vl, dims(vl, w, h, e), dims(w, w));
        visionStack(items, dtype, t, KEY_BIAS, "self_attn.k_proj.bias", vl, dims(vl, h, e), null);
        visionStack(items, dtype, t, VALUE_KERNEL, "self_attn.v_proj.weight", vl, dims(vl, w, h, e), dims(w, w));
        visionStack(items, dtype, t, VALUE_BIAS, "self_attn.v_proj.bias", vl, dims(vl, h, e), null);
        visionStack(items, dtype, t, OUT_KERNEL, "self_attn.out_proj.weight", vl, dims(vl, h, e, w), dims(w, w));
        visionStack(items, dtype, t, OUT_BIAS, "self_attn.out_proj.bias", vl, dims(vl, w), null);
        visionStack(items, dtype, t, LN1_SCALE, "layer_norm2.weight", vl, dims(vl, w), null);
        visionStack(items, dtype, t, LN1_BIAS, "layer_norm2.bias", vl, dims(vl, w), null);
        visionStack(items, dtype, t, DENSE0_KERNEL, "mlp.fc1.weight", vl, dims(vl, w, v.mlp()), dims(v.mlp(), w));
        visionStack(items, dtype, t, DENSE0_BIAS, "mlp.fc1.bias", vl, dims(vl, v.mlp()), null);
        visionStack(items, dtype, t, DENSE1_KERNEL, "mlp.fc2.weight", vl, dims(vl, v.mlp(), w), dims(w, v.mlp()));
        visionStack(items, dtype, t, DENSE1_BIAS, "mlp.fc2.bias", vl, dims(vl, w), null);
        put(items, dtype, ENCODER_NORM_SCALE, t.get(POST_NORM_WEIGHT), dims(w), raw(t.get(POST_NORM_WEIGHT)));
        put(items, dtype, ENCODER_NORM_BIAS, t.get(POST_NORM_BIAS), dims(w), raw(t.get(POST_NORM_BIAS)));
        Tensor proj = t.get(PROJECTOR_WEIGHT);
        put(items, dtype, HEAD_KERNEL, proj, dims(w, d), perm(proj, dims(d, w), T));
        put(items, dtype, HEAD_BIAS, t.get(PROJECTOR_BIAS), dims(d), raw(t.get(PROJECTOR_BIAS)));
        Tensor emb = t.get(EMBED);
        long rowBytes = d * emb.dtype().bytes;
        put(items, dtype, INPUT_EMBEDDING, emb, dims(g.vocab(), d),
                (a, out) -> out.accept(new Piece(emb.data().asSlice(0, g.vocab() * rowBytes), emb.dtype())));
        List<Pieces> norm1 = new ArrayList<>(), q = new ArrayList<>(), kv = new ArrayList<>(), o = new ArrayList<>(),
                norm2 = new ArrayList<>(), gating = new ArrayList<>(), down = new ArrayList<>(), postAttn = new ArrayList<>(),
                postFfw = new ArrayList<>();
        for (int l = 0; l < gl; l++) {
            norm1.add(raw(t.get(textLayer(l, "input_layernorm.weight"))));
            q.add(perm(t.get(textLayer(l, "self_attn.q_proj.weight")), dims(g.heads(), hd, d), 0, 2, 1));
            kv.add(perm(t.get(textLayer(l, "self_attn.k_proj.weight")), dims(g.kvHeads(), hd, d), 0, 2, 1));
            kv.add(perm(t.get(textLayer(l, "self_attn.v_proj.weight")), dims(g.kvHeads(), hd, d), 0, 2, 1));
            o.add(perm(t.get(textLayer(l, "self_attn.o_proj.weight")), dims(d, g.heads() * hd), T));
            if (g.postNorms()) {
                norm2.add(raw(t.get(textLayer(l, "pre_feedforward_layernorm.weight"))));
                postAttn.add(raw(t.get(textLayer(l, "post_attention_layernorm.weight"))));
                postFfw.add(raw(t.get(textLayer(l, "post_feedforward_layernorm.weight"))));
            } else {
                norm2.add(raw(t.get(textLayer(l, "post_attention_layernorm.weight"))));
            }
            gating.add(perm(t.get(textLayer(l, "mlp.gate_proj.weight")), dims(f, d), T));
            gating.add(perm(t.get(textLayer(l, "mlp.up_proj.weight")), dims(f, d), T));
            down.add(perm(t.get(textLayer(l, "mlp.down_proj.weight")), dims(d, f), T));
        }
        Tensor first = t.get(textLayer(0, "self_attn.q_proj.weight"));
        put(items, dtype, PRE_ATTENTION_NORM, first, dims(gl, d), concat(norm1));
        put(items, dtype, Q_EINSUM, first, dims(gl, g.heads(), d, hd), concat(q));
        put(items, dtype, KV_EINSUM, first, dims(gl, 2, g.kvHeads(), d, hd), concat(kv));
        put(items, dtype, ATTN_VEC_EINSUM, first, dims(gl, g.heads(), hd, d), concat(o));
        put(items, dtype, PRE_FFW_NORM, first, dims(gl, d), concat(norm2));
        if (g.postNorms()) {
            put(items, dtype, POST_ATTENTION_NORM, first, dims(gl, d), concat(postAttn));
            put(items, dtype, POST_FFW_NORM, first, dims(gl, d), concat(postFfw));
        }
        put(items, dtype, GATING_EINSUM, first, dims(gl, 2, d, f), concat(gating));
        put(items, dtype, MLP_LINEAR, first, dims(gl, f, d), concat(down));
        put(items, dtype, PaliGemmaLayout.FINAL_NORM, t.get(TEXT_NORM), dims(d), raw(t.get(TEXT_NORM)));
        return items;
    }

    /** A stacked big_vision tensor from each vision layer's {@code row}: as stored, or transposed from {@code linear}. */
    private static void visionStack(List<Item> items, DType dtype, Map<String, Tensor> t, String key, String row, int layers,
                                    long[] shape, long[] linear) {
        List<Pieces> parts = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Tensor x = t.get(visionLayer(l, row));
            parts.add(linear == null ? raw(x) : perm(x, linear, T));
        }
        put(items, dtype, key, t.get(visionLayer(0, row)), shape, concat(parts));
    }

    private static void put(List<Item> items, DType dtype, String key, Tensor from, long[] shape, Pieces pieces) {
        items.add(new Item(key, target(from, dtype), shape, pieces));
    }
}
