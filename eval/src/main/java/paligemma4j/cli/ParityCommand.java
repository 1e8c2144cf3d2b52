package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.KVCache;
import paligemma4j.model.MemoryGuard;
import paligemma4j.model.MemoryNeed;
import paligemma4j.model.SystemMemory;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.Prefix;
import paligemma4j.model.StageObserver;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.parity.StageDiff;
import paligemma4j.model.parity.StageRecorder;
import paligemma4j.model.parity.Tolerances;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code paligemma parity}: runs the Java model with every stage recorded and compares each with a
 * reference dump (scripts/parity/bigvision_dump.py or transformers_dump.py), then the decoded tokens.
 * Activations come from a float32-cache prefill (big_vision's teacher-forced numerics); tokens from
 * decoding with the bf16 KV cache (big_vision's decode default).
 */
final class ParityCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() {
        return "parity";
    }

    public String summary() {
        return "compare every stage of the forward pass with a big_vision / transformers dump";
    }

    public Args.Spec spec() {
        Args.Spec spec = new Args.Spec("--checkpoint C [--tokenizer T] --image I --prompt P --reference DUMP.npz [--json]")
                .option("checkpoint", "C", "checkpoint the reference was made from: " + ModelPaths.CHECKPOINT_HELP, null)
                .option("tokenizer", "T", ModelPaths.TOKENIZER_HELP, null)
                .option("image", "I", "image file", null)
                .option("prompt", "P", "prompt", null)
                .option("reference", "DUMP.npz", "stage dump from scripts/parity/*_dump.py", null)
                .option("resize", "bilinear|bilinear-antialias", "image resize (must match the dump)", "bilinear")
                .option("rtol", "X", "override every stage's relative tolerance (defaults: see docs)", null)
                .option("threads", "T", "CPU threads", String.valueOf(Runtime.getRuntime().availableProcessors()))
                .flag("stop-at-first-failure", "stop comparing after the first failing stage")
                .flag("json", "print one JSON object")
                .flag("check-weights", GenerateCommand.CHECK_WEIGHTS_HELP);
        return DecoderOptions.add(spec);
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path refPath = args.existingFile("reference");
        Tokenizer tokenizer = Tokenizer.load(ModelPaths.tokenizer(args, args.existingFile("checkpoint")));
        Resize resize = Resize.parse(args.choice("resize", "bilinear", "bilinear-antialias"));
        Double rtol = args.has("rtol") ? Double.parseDouble(args.get("rtol")) : null;
        boolean stopEarly = args.flag("stop-at-first-failure");

        List<StageDiff> diffs = new ArrayList<>();
        List<ObjectNode> tokenRows = new ArrayList<>();
        boolean tokensPass = true;
        String modelName;
        GemmaSettings settings;
        try (Checkpoint ref = Checkpoint.open(refPath);
             PaliGemma model = PaliGemma.load(args.existingFile("checkpoint"), new JvmOps(args.getInt("threads")),
                     WeightConverter.STORED, DecoderOptions.parse(args),
                     MemoryGuard.of(null, MemoryNeed.PROMPT_ALLOWANCE, 1, false, SystemMemory::available))) {
            TokenizerCheck.requireMatch(tokenizer, model.config().llm().vocab(), args.existingFile("checkpoint"));
            modelName = model.config().name();
            settings = model.settings();
            Map<String, Tensor> reference = ref.tensors();
            int[] prefixIds = tokenizer.prefixTokens(args.require("prompt"));
            if (reference.containsKey("meta/prefix_ids")) {
                int[] refIds = ints(reference.get("meta/prefix_ids"));
                if (!Arrays.equals(refIds, prefixIds)) {
                    throw new UsageException("prompt tokens differ from the reference's meta/prefix_ids: java "
                            + Arrays.toString(prefixIds) + " vs reference " + Arrays.toString(refIds));
                }
            }
            float[] pixels = ImagePreprocessor.preprocess(args.existingFile("image"),
                    model.config().vision().resolution(), resize);

            // Stages: float32 cache, every stage recorded.
            StageRecorder rec = new StageRecorder();
            float[] zimg = model.encodeImage(pixels, rec);
            model.prefill(zimg, prefixIds, 0, KVCache.Precision.F32, rec);
            for (StageRecorder.Stage s : rec.stages().values()) {
                Tensor t = reference.get(s.name());
                StageDiff d = t == null
                        ? StageDiff.missing(s.name(), "not in the reference dump")
                        : StageDiff.of(s.name(), s.data(), t.toFloatArray(),
                                rtol != null ? rtol : Tolerances.forStage(s.name()));
                diffs.add(d);
                if (stopEarly && !d.pass()) break;
            }

            // Tokens: with the dump's KV cache, bf16 as big_vision decodes (transformers_dump.py's is float32).
            int maxTokens = reference.containsKey("meta/max_tokens")
                    ? ints(reference.get("meta/max_tokens"))[0] : 32;
            KVCache.Precision cachePrecision = reference.containsKey("meta/kv_cache_dtype")
                    && text(reference.get("meta/kv_cache_dtype")).equals("float32") ? KVCache.Precision.F32 : KVCache.Precision.BF16;
            for (String key : List.of("tokens/greedy", "tokens/beam2")) {
                if (!reference.containsKey(key)) continue;
                Prefix prefix = model.prefill(zimg, prefixIds, maxTokens, cachePrecision, StageObserver.NONE);
                int[] java = model.decode(prefix, key.endsWith("greedy") ? 1 : 2, maxTokens, tokenizer.eosId());
                int[] expected = ints(reference.get(key));
                int firstDiff = Arrays.mismatch(java, expected);
                ObjectNode row = JSON.createObjectNode();
                row.put("name", key);
                row.put("equal", firstDiff < 0);
                row.put("first_diff", firstDiff);
                ArrayNode j = row.putArray("java");
                for (int id : java) j.add(id);
                ArrayNode r = row.putArray("reference");
                for (int id : expected) r.add(id);
                tokenRows.add(row);
                tokensPass &= firstDiff < 0;
            }
        }

        StageDiff firstFail = diffs.stream().filter(d -> !d.pass()).findFirst().orElse(null);
        boolean pass = firstFail == null && tokensPass;
        if (args.flag("json")) {
            ObjectNode o = JSON.createObjectNode();
            o.put("pass", pass);
            o.put("model", modelName);
            DecoderOptions.put(o, settings);
            o.put("first_failure", firstFail == null ? null : firstFail.name());
            ArrayNode st = o.putArray("stages");
            for (StageDiff d : diffs) {
                ObjectNode s = st.addObject();
                s.put("name", d.name());
                s.put("elements", d.elements());
                s.put("max_abs", d.maxAbs());
                s.put("max_rel", d.maxRel());
                s.put("cosine", d.cosine());
                s.put("tolerance", d.tolerance());
                s.put("pass", d.pass());
                if (d.problem() != null) s.put("problem", d.problem());
            }
            ArrayNode tk = o.putArray("tokens");
            tokenRows.forEach(tk::add);
            out.println(JSON.writeValueAsString(o));
        } else {
            out.printf("%-22s %10s %12s %12s %12s %10s  %s%n", "stage", "elements", "max_abs", "max_rel", "cosine",
                    "tolerance", "result");
            for (StageDiff d : diffs) {
                out.printf("%-22s %10d %12.3e %12.3e %12.9f %10.1e  %s%n", d.name(), d.elements(), d.maxAbs(),
                        d.maxRel(), d.cosine(), d.tolerance(),
                        d.pass() ? "PASS" : "FAIL" + (d.problem() == null ? "" : " (" + d.problem() + ")"));
            }
            for (ObjectNode t : tokenRows) {
                out.printf("%-22s %s%n", t.get("name").asText(), t.get("equal").asBoolean() ? "PASS (identical)"
                        : "FAIL: first difference at position " + t.get("first_diff").asInt()
                        + ": java " + t.get("java") + " vs reference " + t.get("reference"));
            }
            out.println(pass ? "PASS" : "FAIL" + (firstFail != null ? ": first drifting stage " + firstFail.name() : ""));
        }
        return pass ? 0 : 1;
    }

    static int[] ints(Tensor t) {
        int[] v = new int[(int) t.size()];
        for (int i = 0; i < v.length; i++) v[i] = (int) t.getFloat(i);
        return v;
    }

    /** A dump's string: the UTF-8 bytes of a uint8 member (scripts/parity/dumps.py {@code utf8}). */
    static String text(Tensor t) {
        byte[] b = new byte[(int) t.size()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (int) t.getFloat(i);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
