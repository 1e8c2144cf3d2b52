package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import paligemma4j.model.GreedyDecoder;
import paligemma4j.model.KVCache;
import paligemma4j.model.MemoryGuard;
import paligemma4j.model.MemoryNeed;
import paligemma4j.model.SystemMemory;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.Sampler;
import paligemma4j.model.Sampling;
import paligemma4j.model.StageObserver;
import paligemma4j.model.TokenStream;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/** {@code paligemma generate}: answer a prompt about an image. */
final class GenerateCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() {
        return "generate";
    }

    public String summary() {
        return "answer a prompt about an image (greedy, beam search or sampling)";
    }

    public Args.Spec spec() {
        Args.Spec spec = new Args.Spec("--checkpoint C [--tokenizer T] (--image I --prompt P | --batch FILE.jsonl) [options]")
                .option("checkpoint", "C", "big_vision .npz (f32/bf16/f16), Flax msgpack, Hugging Face directory or .safetensors", null)
                .option("tokenizer", "T", "SentencePiece .model or Hugging Face tokenizer.json (default: "
                        + String.join(", ", ServeCommand.TOKENIZER_NAMES) + " in or beside the checkpoint)", null)
                .option("image", "I", "image file (JPEG, PNG, BMP, GIF)", null)
                .option("prompt", "P", "prompt, e.g. 'caption en', 'answer en what is this?', 'detect cat'", null)
                .option("batch", "FILE", "JSON lines {\"image\":…,\"prompt\":…}; writes one JSON line per answer", null)
                .option("max-tokens", "N", "stop after N generated tokens", "32")
                .option("beam", "K", "beam search with K beams (1 = greedy)", "1")
                .option("kv-cache", "bf16|f32", "KV cache precision (bf16 = big_vision's decode default)", "bf16")
                .option("resize", "bilinear|bilinear-antialias", "TF bilinear resize without/with antialias", "bilinear")
                .option("max-text-len", "N", "longest prompt + answer in tokens (512 = longest of any release)", "512")
                .option("threads", "T", "CPU threads", String.valueOf(Runtime.getRuntime().availableProcessors()))
                .option("backend", "jvm|tornadovm", "where the kernels run: JVM (Vector API) or a TornadoVM device", "jvm")
                .option("device", "N", "TornadoVM device number (scripts/paligemma devices); default: TornadoVM's", "-1")
                .flag("json", "print one JSON object with ids, text, objects, timings, the model and its decoder settings")
                .flag("check-weights", CHECK_WEIGHTS_HELP);
        return DecoderOptions.add(OutputOptions.add(SamplingOptions.add(spec)));
    }

    static final String CHECK_WEIGHTS_HELP = "first scan every tensor of the checkpoint for NaN or infinity (names the tensor)";

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path ckptPath = args.existingFile("checkpoint");
        Path tokPath = args.has("tokenizer") ? args.existingFile("tokenizer") : ServeCommand.besideCheckpoint(ckptPath);
        int maxTokens = args.positiveInt("max-tokens");
        int beam = args.positiveInt("beam");
        int maxTextLen = args.positiveInt("max-text-len");
        int threads = args.positiveInt("threads");
        String backend = args.choice("backend", "jvm", "tornadovm");
        int device = args.getInt("device");
        KVCache.Precision kv = KVCache.Precision.parse(args.choice("kv-cache", "bf16", "f32"));
        Resize resize = Resize.parse(args.choice("resize", "bilinear", "bilinear-antialias"));
        List<BatchFile.Line> requests = requests(args);
        boolean batch = args.has("batch");
        Sampling sampling = SamplingOptions.parse(args);
        if (beam != 1 && !sampling.greedy()) throw new UsageException("--beam " + beam + " and --temperature > 0 exclude each other");
        OutputOptions outputs = OutputOptions.parse(args);

        long t0 = System.nanoTime();
        Tokenizer tokenizer = Tokenizer.load(tokPath);
        var settings = DecoderOptions.parse(args);
        var memory = MemoryGuard.of(null, Math.min(maxTextLen, MemoryNeed.PROMPT_ALLOWANCE + maxTokens), beam, false,
                SystemMemory::available);
        int failed = 0;
        try (PaliGemma model = PaliGemma.load(ckptPath, Backends.open(backend, threads, device), WeightConverter.STORED,
                settings, memory)) {
            int vocab = model.config().llm().vocab();
            TokenizerCheck.requireMatch(tokenizer, vocab, ckptPath);
            double loadMs = ms(t0);
            for (int i = 0; i < requests.size(); i++) {
                BatchFile.Line r = requests.get(i);
                ObjectNode result;
                try {
                    if (r.error() != null) throw new UsageException(r.error());
                    result = answer(model, tokenizer, r, maxTokens, beam, sampling, maxTextLen, kv, resize, err);
                    Path dir = outputs.out() == null ? null : batch ? outputs.out().resolve(String.valueOf(i)) : outputs.out();
                    outputs.apply(result, ImagePreprocessor.decodeRgb(r.image()), r.image().getFileName().toString(),
                            r.prompt(), result.get("text").asText(), dir, err);
                } catch (RuntimeException e) {
                    if (!batch) throw e;
                    // a failing line is reported in its place and the others still run
                    failed++;
                    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                    if (!msg.startsWith("line ")) msg = "line " + r.number() + ": " + msg;
                    err.println("paligemma generate: " + args.get("batch") + ": " + msg);
                    ObjectNode o = JSON.createObjectNode();
                    o.put("line", r.number());
                    o.put("error", msg);
                    out.println(JSON.writeValueAsString(o));
                    out.flush();
                    continue;
                }
                ((ObjectNode) result.get("timings_ms")).put("load", loadMs);
                if (batch) {
                    result.put("image", r.image().toString());
                    result.put("line", r.number());
                }
                if (result.get("tokens").isEmpty()) {
                    err.println("paligemma generate: warning: " + (batch ? "line " + r.number() + ": " : "")
                            + "empty answer: " + result.get("empty_reason").asText());
                }
                if (args.flag("json") || batch) {
                    out.println(JSON.writeValueAsString(result));
                } else {
                    out.println(result.get("text").asText());
                }
                out.flush();
            }
        }
        if (failed > 0) {
            err.println("paligemma generate: " + failed + " of " + requests.size() + " batch lines failed");
            return 1;
        }
        return 0;
    }

    private static ObjectNode answer(PaliGemma model, Tokenizer tokenizer, BatchFile.Line r, int maxTokens, int beam,
                                     Sampling sampling, int maxTextLen, KVCache.Precision kv, Resize resize,
                                     PrintStream err) {
        int[] prefixIds = tokenizer.prefixTokens(r.prompt());
        if (prefixIds.length + maxTokens > maxTextLen) {
            throw new UsageException("prompt is " + prefixIds.length + " tokens; with --max-tokens " + maxTokens
                    + " that exceeds --max-text-len " + maxTextLen + " (shorten the prompt or raise --max-text-len)");
        }
        long t = System.nanoTime();
        float[] pixels = ImagePreprocessor.preprocess(r.image(), model.config().vision().resolution(), resize);
        double preprocessMs = ms(t);
        t = System.nanoTime();
        float[] zimg = model.encodeImage(pixels, StageObserver.NONE);
        double visionMs = ms(t);
        t = System.nanoTime();
        // on a whole-tower backend (TornadoVM) the KV caches (one per beam) then stay on the device
        Prefix prefix = model.prefillFor(zimg, prefixIds, maxTokens, kv, beam);
        double prefillMs = ms(t);
        t = System.nanoTime();
        int[] tokens = sampling.greedy() ? model.decode(prefix, beam, maxTokens, tokenizer.eosId())
                : new TokenStream(model.decodeState(prefix), new Sampler(sampling), maxTokens, tokenizer.eosId())
                        .run(GreedyDecoder.TokenListener.NONE);
        double decodeMs = ms(t);

        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", r.prompt());
        ArrayNode ids = o.putArray("tokens");
        for (int id : tokens) ids.add(id);
        o.put("text", tokenizer.decode(tokens));
        ObjectNode timings = o.putObject("timings_ms");
        timings.put("load", 0.0);
        timings.put("preprocess", preprocessMs);
        timings.put("vision", visionMs);
        timings.put("prefill", prefillMs);
        timings.put("decode", decodeMs);
        o.put("tokens_per_second", tokens.length == 0 || decodeMs == 0 ? 0.0 : tokens.length / (decodeMs / 1000));
        o.put("prefix_tokens", prefix.length());
        if (!sampling.greedy()) o.put("seed", sampling.seed());
        o.put("model", model.config().name());
        DecoderOptions.put(o, model.settings());
        // beam search always ends on <eos>; greedy and sampling stop at <eos> or after --max-tokens
        o.put("finish_reason", beam > 1 || tokens.length < maxTokens ? "eos" : "max_tokens");
        if (tokens.length == 0) o.put("empty_reason", "the model emitted <eos> as its first token");
        return o;
    }

    private static List<BatchFile.Line> requests(Args args) {
        if (args.has("batch")) {
            if (args.has("image") || args.has("prompt")) {
                throw new UsageException("give either --batch or --image/--prompt, not both");
            }
            return BatchFile.read(args.existingFile("batch"));
        }
        return List.of(new BatchFile.Line(1, args.existingFile("image"), args.require("prompt"), null));
    }

    private static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
