package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.WeightType;
import paligemma4j.kernels.ProfiledOps;
import paligemma4j.model.DecodeState;
import paligemma4j.model.KVCache;
import paligemma4j.model.MemoryGuard;
import paligemma4j.model.MemoryNeed;
import paligemma4j.model.SystemMemory;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.StageObserver;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code paligemma bench}: end-to-end timings per stage on one checkpoint, like llama-bench. One
 * synthetic image at the checkpoint's resolution, the prompt's prefix, exactly N decode steps
 * (greedy, {@code <eos>} ignored); one warm-up, then K timed repetitions. {@code --jmh} runs the
 * kernel benchmarks instead ({@code jmh/target/benchmarks.jar}).
 *
 * <p>Stages: {@code vision} = SigLIP + projector; {@code prefill} = Gemma over the whole prefix
 * (image tokens + text), excluding vision; {@code decode} = one step (embed the last token, 18
 * layers, logits), N steps per repetition.
 */
final class BenchCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() {
        return "bench";
    }

    public String summary() {
        return "time load / vision / prefill / decode per token (or --jmh: kernel benchmarks)";
    }

    public Args.Spec spec() {
        Args.Spec spec = new Args.Spec("--checkpoint C [options]   |   --jmh [FILTER] [-- JMH options]")
                .option("checkpoint", "C", ModelPaths.CHECKPOINT_HELP, null)
                .option("tokenizer", "T", "tokenizer for the prompt (default: the Hugging Face directory's; without one: "
                        + "synthetic ids, one per word + <bos> + \\n)", null)
                .option("prompt", "P", "prompt", "caption en")
                .option("new-tokens", "N", "decode steps per repetition (exactly N, <eos> ignored)", "20")
                .option("repeat", "K", "timed repetitions after one warm-up", "3")
                .option("weights", "stored|bf16|f32|f16|q8", "weight matrices as stored, or converted at load", "stored")
                .option("threads", "T", "CPU threads", String.valueOf(Runtime.getRuntime().availableProcessors()))
                .option("backend", "jvm|tornadovm", "where the towers run (tornadovm: the device-resident graphs, "
                        + "docs/tornadovm.md)", "jvm")
                .option("device", "N", "TornadoVM device (paligemma devices), default: TornadoVM's default", "-1")
                .option("format", "md|csv", "table format (ignored with --json)", "md")
                .flag("json", "print one JSON object (medians over repetitions)")
                .flag("profile", "one more repetition through a timing wrapper: time per operation and shape, per stage")
                .flag("jmh", "run the JMH kernel benchmarks (jmh/target/benchmarks.jar, built if missing)")
                .positional("FILTER", "with --jmh: benchmark regex and JMH options, e.g. 'MatvecBench -p dtype=BF16'")
                .flag("check-weights", GenerateCommand.CHECK_WEIGHTS_HELP);
        return DecoderOptions.add(spec);
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        if (args.flag("jmh")) {
            String filter = optionalPositional(args);
            return JmhLauncher.run(filter == null ? new String[0] : filter.trim().split("\\s+"), out, err);
        }
        Path ckptPath = args.existingFile("checkpoint");
        int newTokens = args.positiveInt("new-tokens");
        int repeat = args.positiveInt("repeat");
        int threads = args.positiveInt("threads");
        String weights = args.choice("weights", "stored", "bf16", "f32", "f16", "q8");
        String format = args.choice("format", "md", "csv");
        String prompt = args.require("prompt");
        String backend = args.choice("backend", "jvm", "tornadovm");
        if (backend.equals("tornadovm") && args.flag("profile")) {
            throw new UsageException("bench: --profile times the JVM backend's operations; drop it with --backend tornadovm");
        }
        java.util.Set<String> storedTypes = new java.util.TreeSet<>();
        java.util.Set<WeightType> loadedTypes = java.util.EnumSet.noneOf(WeightType.class);
        WeightConverter recording = AccuracyCommand.converter(weights).observed((stored, loaded) -> {
            storedTypes.add(stored.type().name().toLowerCase());
            loadedTypes.add(loaded.type());
        });
        long t0 = System.nanoTime();
        JvmOps jvm = new JvmOps(threads);
        ProfiledOps profile = args.flag("profile") ? new ProfiledOps(jvm) : null;
        var memory = MemoryGuard.of(AccuracyCommand.targetType(weights), MemoryNeed.PROMPT_ALLOWANCE + newTokens, 1, true,
                SystemMemory::available);
        Ops ops = backend.equals("jvm") ? (profile == null ? jvm : profile)
                : Backends.open(backend, threads, Integer.parseInt(args.require("device")));
        try (jvm; AutoCloseable device = ops == jvm || ops == profile ? () -> { } : (AutoCloseable) ops;
             PaliGemma model = PaliGemma.load(ckptPath, ops, recording, DecoderOptions.parse(args), memory)) {
            double loadMs = ms(t0);
            int vocab = model.config().llm().vocab();
            int[] ids;
            String idsSource;
            Path tokPath = ModelPaths.optionalTokenizer(args, ckptPath);
            if (tokPath != null) {
                Tokenizer tokenizer = Tokenizer.load(tokPath);
                TokenizerCheck.requireMatch(tokenizer, vocab, ckptPath);
                ids = tokenizer.prefixTokens(prompt);
                idsSource = "tokenizer";
            } else {
                ids = syntheticIds(prompt, vocab);
                idsSource = "synthetic";
                err.println("bench: no --tokenizer: " + ids.length + " synthetic prompt ids (<bos> + one per word + \\n)");
            }
            float[] pixels = syntheticImage(model.config().vision().resolution());

            err.println("bench: warm-up");
            Run warm = once(model, pixels, ids, newTokens, profile);
            List<Run> runs = new ArrayList<>();
            for (int k = 0; k < repeat; k++) {
                err.println("bench: repetition " + (k + 1) + "/" + repeat);
                runs.add(once(model, pixels, ids, newTokens, profile));
            }
            List<ProfiledOps.Entry> profiled = List.of();
            if (profile != null) {
                err.println("bench: profiled repetition");
                profile.reset();
                once(model, pixels, ids, newTokens, profile);
                profiled = profile.entries();
            }
            Summary s = new Summary(loadMs, runs, warm.prefixTokens, ids.length, newTokens, weights.equals("stored") ? "stored " + String.join("+", storedTypes) : weights, threads,
                    idsSource, peakRssBytes(), loadAverage());
            if (args.flag("json")) {
                ObjectNode json = s.json();
                json.put("model", model.config().name());
                json.put("backend", backend);
                if (loadedTypes.size() == 1) {
                    json.put("decoder_weight_bytes", decoderWeightBytes(model.config().llm(), loadedTypes.iterator().next()));
                }
                ArrayNode tokens = json.putArray("tokens");     // the last repetition's greedy ids (<eos> not special)
                for (int t : runs.get(runs.size() - 1).tokens()) tokens.add(t);
                DecoderOptions.put(json, model.settings());
                if (profile != null) {
                    json.set("profile", OpsProfileTable.json(profiled, newTokens, JSON));
                }
                out.println(JSON.writeValueAsString(json));
            } else {
                out.print(s.table(format, ckptPath.getFileName().toString()));
                if (profile != null) {
                    out.print(OpsProfileTable.table(profiled, newTokens, format));
                }
            }
        }
        return 0;
    }

    /**
     * Bytes of the weight matrices one decode step reads (every layer's projections and the tied unembedding, in
     * {@code type}; norms are negligible): what the memory bandwidth bounds.
     */
    static long decoderWeightBytes(GemmaConfig c, WeightType type) {
        int d = c.width(), hd = c.headDim(), f = c.mlp();
        long layer = (long) d * type.rowBytes(hd) * (c.heads() + 2L * c.kvHeads())     // q, k, v heads [D, hd]
                + (long) c.heads() * hd * type.rowBytes(d)                               // out [H·hd, D]
                + 2L * d * type.rowBytes(f)                                              // gate, up [D, F]
                + (long) f * type.rowBytes(d);                                           // down [F, D]
        return c.depth() * layer + (long) c.vocab() * type.rowBytes(d);
    }

    /** Stage timings of one repetition and its greedy ids. */
    record Run(double visionMs, double prefillMs, double[] decodeMs, int prefixTokens, int[] tokens) {
        double decodeTotalMs() {
            double t = 0;
            for (double d : decodeMs) t += d;
            return t;
        }
    }

    private static Run once(PaliGemma model, float[] pixels, int[] ids, int newTokens, ProfiledOps profile) {
        if (profile != null) profile.stage("vision");
        long t = System.nanoTime();
        float[] zimg = model.encodeImage(pixels, StageObserver.NONE);
        double visionMs = ms(t);
        if (profile != null) profile.stage("prefill");
        t = System.nanoTime();
        // greedy: on a whole-tower backend the prefix and every step run in its device-resident decoder
        Prefix prefix = model.prefillFor(zimg, ids, newTokens, KVCache.Precision.BF16, 1);
        double prefillMs = ms(t);
        DecodeState state = model.decodeState(prefix);
        int vocab = model.config().llm().vocab();
        double[] steps = new double[newTokens];
        int[] tokens = new int[newTokens];
        int token = argmax(state.logits(), vocab);
        if (profile != null) profile.stage("decode");
        for (int i = 0; i < newTokens; i++) {
            tokens[i] = token;
            t = System.nanoTime();
            state.advance(token);                                   // <eos> or not: always N steps
            token = argmax(state.logits(), vocab);
            steps[i] = ms(t);
        }
        return new Run(visionMs, prefillMs, steps, prefix.length(), tokens);
    }

    /** The first index of the largest of {@code x[0, n)}, on the host (a device backend keeps its plans to the towers). */
    static int argmax(float[] x, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /**
     * Deterministic prompt ids when no tokenizer is given: {@code <bos>} (id 2, Gemma's), one id per
     * whitespace-separated word, and one for the {@code \n} separator, drawn from ids ≥ 3.
     */
    static int[] syntheticIds(String prompt, int vocab) {
        String[] words = prompt.strip().isEmpty() ? new String[0] : prompt.strip().split("\\s+");
        int[] ids = new int[words.length + 2];
        ids[0] = Math.min(2, vocab - 1);
        for (int i = 1; i < ids.length; i++) ids[i] = 3 + (int) ((i * 7919L) % Math.max(1, vocab - 3));
        return ids;
    }

    /** A smooth colour gradient with a checker pattern, values in [-1, 1], [R, R, 3] row-major. */
    static float[] syntheticImage(int resolution) {
        float[] px = new float[resolution * resolution * 3];
        for (int y = 0; y < resolution; y++) {
            for (int x = 0; x < resolution; x++) {
                int o = (y * resolution + x) * 3;
                float checker = ((x / 16 + y / 16) & 1) == 0 ? 0.25f : -0.25f;
                px[o] = 2f * x / resolution - 1f;
                px[o + 1] = 2f * y / resolution - 1f;
                px[o + 2] = checker;
            }
        }
        return px;
    }

    /** VmHWM of /proc/self/status in bytes; -1 where there is none (not Linux). */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /** The 1, 5 and 15 minute load averages of /proc/loadavg; empty where there is none. */
    static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (Exception e) {
            return new double[0];
        }
    }

    /** The repetitions reduced to the reported numbers. */
    record Summary(double loadMs, List<Run> runs, int prefixTokens, int textTokens, int newTokens, String weights, int threads,
                   String idsSource, long peakRss, double[] loadAverage) {

        double[] vision() {
            return runs.stream().mapToDouble(Run::visionMs).toArray();
        }

        double[] prefill() {
            return runs.stream().mapToDouble(Run::prefillMs).toArray();
        }

        double[] decodeSteps() {
            return runs.stream().flatMapToDouble(r -> Arrays.stream(r.decodeMs())).toArray();
        }

        double[] tokensPerSecond() {
            return runs.stream().mapToDouble(r -> r.decodeMs().length / (r.decodeTotalMs() / 1000)).toArray();
        }

        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("load_ms", loadMs);
            o.put("vision_ms", Stats.median(vision()));
            o.put("prefill_ms", Stats.median(prefill()));
            o.put("decode_ms_per_token", Stats.median(decodeSteps()));
            o.put("tokens_per_second", Stats.median(tokensPerSecond()));
            o.put("peak_rss_bytes", peakRss);
            o.put("weights", weights);
            o.put("threads", threads);
            o.put("prefix_tokens", prefixTokens);
            o.put("new_tokens", newTokens);
            o.put("repetitions", runs.size());
            o.put("prompt_ids", idsSource);
            o.put("matmul_vector_lanes", paligemma4j.kernels.JvmOps.matmulLanes());
            ArrayNode la = o.putArray("load_average");
            for (double v : loadAverage) la.add(v);
            return o;
        }

        String table(String format, String checkpoint) {
            String[][] rows = {
                    {"load", "-", f(loadMs), "-", "-"},
                    {"vision", String.valueOf(imageTokens()), f(Stats.mean(vision())),
                            f(Stats.std(vision())), f(imageTokens() / (Stats.mean(vision()) / 1000))},
                    {"prefill", String.valueOf(prefixTokens), f(Stats.mean(prefill())), f(Stats.std(prefill())),
                            f(prefixTokens / (Stats.mean(prefill()) / 1000))},
                    {"decode/token", String.valueOf(newTokens), f(Stats.mean(decodeSteps())), f(Stats.std(decodeSteps())),
                            f(1000 / Stats.mean(decodeSteps()))},
            };
            String[] head = {"stage", "tokens", "mean ms", "± std ms", "tokens/s"};
            StringBuilder sb = new StringBuilder();
            String la = loadAverage.length == 0 ? "n/a" : loadAverage[0] + " " + loadAverage[1] + " " + loadAverage[2];
            if (format.equals("csv")) {
                sb.append("checkpoint,weights,threads,").append(String.join(",", head).replace("± ", "")).append('\n');
                for (String[] r : rows) {
                    sb.append(checkpoint).append(',').append(weights).append(',').append(threads).append(',')
                            .append(String.join(",", r)).append('\n');
                }
                return sb.toString();
            }
            sb.append("checkpoint ").append(checkpoint).append(", weights ").append(weights).append(", threads ")
                    .append(threads).append(" (matmul vectors of ").append(paligemma4j.kernels.JvmOps.matmulLanes())
                    .append(" floats), ").append(runs.size()).append(" repetitions after 1 warm-up, prompt ids ")
                    .append(idsSource).append(", peak RSS ").append(String.format("%.2f GB", peakRss / 1e9))
                    .append(", load average ").append(la).append("\n\n");
            sb.append("| ").append(String.join(" | ", head)).append(" |\n");
            sb.append("|---|---:|---:|---:|---:|\n");
            for (String[] r : rows) sb.append("| ").append(String.join(" | ", r)).append(" |\n");
            return sb.toString();
        }

        private int imageTokens() {
            return prefixTokens - textTokens;
        }
    }

    private static String optionalPositional(Args args) {
        try {
            return args.positional(0);
        } catch (UsageException e) {
            return null;
        }
    }

    private static String f(double v) {
        return String.format("%.2f", v);
    }

    private static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
