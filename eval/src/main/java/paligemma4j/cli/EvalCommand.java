package paligemma4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.mmvp.MmvpMatcher;
import paligemma4j.eval.pope.PopeParser;
import paligemma4j.eval.run.EvalRun;
import paligemma4j.eval.run.ModelSession;
import paligemma4j.eval.run.Protocol;
import paligemma4j.eval.run.RunConfig;
import paligemma4j.kernels.Ops;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code paligemma eval}, two actions:
 * <ul>
 *   <li>{@code eval pope|mmvp|cococap|refcoco --data DIR --checkpoint C --tokenizer T --out RUN_DIR [...]}:
 *       runs the model over a split with the published protocol ({@link EvalRun}), resumable;</li>
 *   <li>{@code eval score BENCH --data DIR --predictions FILE.jsonl [...] --json}: scores a predictions
 *       file with {@link Benchmark#score}, the code the runner uses. Prints one JSON object; metrics are
 *       percentages as in the published table, unrounded. A missing, duplicated or unknown id fails with
 *       one line naming it.</li>
 * </ul>
 */
public final class EvalCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> RUN_ONLY = List.of("checkpoint", "tokenizer", "out", "resume", "limit", "beam",
            "max-tokens", "text-len", "prompt-template", "resize", "kv-cache", "threads", "backend", "device", "published-row", "progress", "check-weights");
    private static final List<String> SCORE_ONLY = List.of("predictions");

    public String name() { return "eval"; }

    public String summary() { return "eval BENCH: run a benchmark (pope|mmvp|cococap|refcoco); eval score BENCH: score predictions"; }

    public Args.Spec spec() {
        return new Args.Spec("pope|mmvp|cococap|refcoco --data DIR --checkpoint C --tokenizer T --out RUN_DIR [options]\n"
                + "       paligemma eval score pope|mmvp|cococap|refcoco --data DIR --predictions FILE.jsonl [options] [--json]\n"
                + "Run defaults follow the released big_vision configs (docs/eval.md): pope/mmvp/refcoco greedy, max 48 tokens,\n"
                + "prompt cap 48; cococap beam 2, max 32, cap 32; all bilinear resize without antialias, bf16 KV cache.")
                .positional("BENCH|score", "a benchmark to run, or 'score'")
                .positional("BENCH", "after 'score': pope | mmvp | cococap | refcoco")
                .option("data", "DIR", "benchmark data directory (files as distributed)", null)
                .option("split", "S", "pope: random|popular|adversarial (random); cococap: val|test (val); refcoco: val|testA|testB|test (val)", null)
                .option("dataset", "D", "refcoco: refcoco|refcoco+|refcocog", "refcoco")
                .option("vae", "FILE", "refcoco: VQ-VAE weights (default DIR/vae-oid.npz)", null)
                .option("pope-parser", "P", "pope: big_vision (published protocol) | original (POPE repo's evaluate.py)", "big_vision")
                .option("mmvp-match", "RULES", "mmvp: comma list of letter,option,prefix (docs/eval-protocols.md)", "letter,option,prefix")
                .option("predictions", "FILE", "score: JSONL, one {\"id\": ..., \"answer\": \"...\"} per line", null)
                .option("checkpoint", "C", "run: big_vision .npz or Flax msgpack checkpoint", null)
                .option("tokenizer", "T", "run: SentencePiece .model or Hugging Face tokenizer.json", null)
                .option("out", "RUN_DIR", "run: directory for run.json, predictions.jsonl, report.json, report.md", null)
                .flag("resume", "run: continue the run in RUN_DIR (same settings) after its last complete prediction")
                .option("limit", "N", "run: only the first N examples of the split (a partial, non-comparable score)", null)
                .option("prompt-template", "T", "run: pope {question}; mmvp {question} {options}; cococap 'caption en'; refcoco {sent}", null)
                .option("text-len", "N", "run: prompt token cap, [bos]+prompt+\\n cut to N tokens (32 cococap, else 48)", null)
                .option("beam", "K", "run: beam search with K beams, 1 = greedy (2 cococap, else 1)", null)
                .option("max-tokens", "N", "run: most generated tokens (32 cococap, else 48)", null)
                .option("resize", "bilinear|bilinear-antialias", "run: TF bilinear resize without/with antialias", "bilinear")
                .option("kv-cache", "bf16|f32", "run: KV cache precision", "bf16")
                .option("threads", "T", "run: CPU threads", String.valueOf(Runtime.getRuntime().availableProcessors()))
                .option("backend", "jvm|tornadovm", "run: where the kernels run: JVM (Vector API) or a TornadoVM device", "jvm")
                .option("device", "N", "run: TornadoVM device number (scripts/paligemma devices); default: TornadoVM's", "-1")
                .option("progress", "auto|bar|lines", "run: progress on stderr: a bar redrawn in place, or plain lines (auto: bar on a terminal)", "auto")
                .option("published-row", "ROW", "run: the published row to compare with, e.g. mix-224, ft-vqav2-448, ft-cococap-224, ft-refcoco-seg-896", null)
                .flag("json", "print exactly one JSON object (score: the metrics; run: the report)")
                .flag("check-weights", "run: " + GenerateCommand.CHECK_WEIGHTS_HELP);
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String action = args.positional(0);
        if (action.equals("score")) {
            refuse(args, RUN_ONLY, "eval score");
            return score(args, out);
        }
        Benchmark bench = benchmark(action);
        refuse(args, SCORE_ONLY, "eval " + action);
        String extra = null;
        try {
            extra = args.positional(1);
        } catch (UsageException none) {
            // a run takes one positional
        }
        if (extra != null) throw new UsageException("unexpected argument '" + extra + "' (see --help)");
        return runBenchmark(bench, args, out, err);
    }

    private int score(Args args, PrintStream out) throws Exception {
        Benchmark bench = benchmark(args.positional(1));
        Path dir = dataDir(args);
        Path predictionsFile = args.existingFile("predictions");
        Map<String, Object> result = bench.score(dir, scoreOptions(args, args.get("split"), args.get("dataset")),
                Predictions.read(predictionsFile));
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(result));
        } else {
            StringBuilder sb = new StringBuilder();
            result.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append('=').append(v));
            out.println(sb);
        }
        return 0;
    }

    private int runBenchmark(Benchmark bench, Args args, PrintStream out, PrintStream err) throws Exception {
        Path dir = dataDir(args);
        Path ckpt = args.existingFile("checkpoint");
        Path tok = args.existingFile("tokenizer");
        Path runDir = Path.of(args.require("out"));
        String split = switch (bench) {
            case POPE -> args.get("split") == null ? "random" : args.get("split");
            case COCOCAP, REFCOCO -> args.get("split") == null ? "val" : args.get("split");
            case MMVP -> {
                if (args.has("split")) throw new UsageException("--split: mmvp has a single question file");
                yield null;
            }
        };
        if (bench != Benchmark.REFCOCO && args.has("dataset")) throw new UsageException("--dataset is for refcoco only");
        String dataset = bench == Benchmark.REFCOCO ? args.choice("dataset", "refcoco", "refcoco+", "refcocog") : null;

        Protocol p = Protocol.defaults(bench);
        if (args.has("prompt-template")) p = p.withPromptTemplate(args.get("prompt-template"));
        if (args.has("text-len")) p = p.withTextLen(args.positiveInt("text-len"));
        if (args.has("beam")) p = p.withBeam(args.positiveInt("beam"));
        if (args.has("max-tokens")) p = p.withMaxTokens(args.positiveInt("max-tokens"));
        p = p.withResize(Resize.parse(args.choice("resize", "bilinear", "bilinear-antialias")));
        p = p.withKvCache(KVCache.Precision.parse(args.choice("kv-cache", "bf16", "f32")));
        int limit = args.has("limit") ? args.positiveInt("limit") : 0;
        int threads = args.positiveInt("threads");
        String backend = args.choice("backend", "jvm", "tornadovm");
        int device = args.getInt("device");

        RunConfig config = new RunConfig(bench, split, dataset, dir, ckpt, Files.size(ckpt), tok, Files.size(tok), p, limit);
        EvalRun.Request request = new EvalRun.Request(config, runDir, args.flag("resume"),
                scoreOptions(args, split, dataset), args.get("published-row"),
                switch (args.choice("progress", "auto", "bar", "lines")) {
                    case "bar" -> true;
                    case "lines" -> false;
                    default -> System.console() != null && System.console().isTerminal();
                });
        ModelSession.Opener opener = () -> open(ckpt, tok, Backends.open(backend, threads, device));
        EvalRun.Outcome o = EvalRun.run(request, opener, err);
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(o.report()));
        } else {
            out.println(summary(o.report(), runDir));
        }
        return 0;
    }

    /** Loads the tokenizer and checkpoint on {@code ops} (closed with the session) and checks that they belong together. */
    static ModelSession open(Path ckpt, Path tok, Ops ops) {
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.load(tok);
        } catch (RuntimeException e) {
            close(ops);
            throw e;
        }
        PaliGemma model;
        try {
            model = PaliGemma.load(ckpt, ops);
        } catch (RuntimeException e) {
            close(ops);
            throw e;
        }
        try {
            TokenizerCheck.requireMatch(tokenizer, model.config().llm().vocab(), ckpt);
        } catch (RuntimeException e) {
            model.close();
            close(ops);
            throw e;
        }
        return new ModelSession(model, tokenizer, () -> {
            model.close();
            close(ops);
        });
    }

    private static void close(Ops ops) {
        if (ops instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the backend: " + e.getMessage(), e);
            }
        }
    }

    /** {@code pope random: accuracy 87.9333 (n=3000) | mix-224 88.00 (-0.0667) | report RUN/report.md}. */
    private static String summary(JsonNode r, Path runDir) {
        StringBuilder s = new StringBuilder(r.get("benchmark").asText());
        if (!r.get("dataset").isNull()) s.append(' ').append(r.get("dataset").asText());
        if (!r.get("split").isNull()) s.append(' ').append(r.get("split").asText());
        s.append(String.format(Locale.ROOT, ": %s %.4f (n=%d%s)", r.get("metric").asText(), r.get("value").asDouble(),
                r.get("protocol").get("n").asInt(), r.get("partial").asBoolean() ? ", partial" : ""));
        for (JsonNode row : r.get("published_rows")) {
            s.append(String.format(Locale.ROOT, " | %s %.2f (%+.4f)", row.get("row").asText(), row.get("value").asDouble(),
                    row.get("difference").asDouble()));
        }
        return s.append(" | report ").append(runDir.resolve("report.md")).toString();
    }

    private static Benchmark benchmark(String name) {
        try {
            return Benchmark.byName(name);
        } catch (RuntimeException e) {
            throw new UsageException(e.getMessage() + " (or 'score')");
        }
    }

    private static Path dataDir(Args args) {
        Path dir = Path.of(args.require("data"));
        if (!Files.isDirectory(dir)) throw new UsageException("--data: no such directory: " + dir);
        return dir;
    }

    private static void refuse(Args args, List<String> options, String action) {
        for (String o : options) if (args.has(o)) throw new UsageException("--" + o + " does not apply to " + action + " (see --help)");
    }

    private static ScoreOptions scoreOptions(Args args, String split, String dataset) {
        return new ScoreOptions(split, dataset, args.get("vae") == null ? null : Path.of(args.get("vae")),
                popeParser(args), mmvpMatcher(args));
    }

    private static PopeParser popeParser(Args args) {
        try {
            return PopeParser.byName(args.get("pope-parser"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pope-parser: " + e.getMessage());
        }
    }

    private static MmvpMatcher mmvpMatcher(Args args) {
        List<String> rules = List.of(args.get("mmvp-match").split(",")).stream().map(String::strip).toList();
        for (String rule : rules) {
            if (!List.of("letter", "option", "prefix").contains(rule)) {
                throw new UsageException("--mmvp-match: unknown rule '" + rule + "' (letter,option,prefix)");
            }
        }
        return new MmvpMatcher(rules.contains("letter"), rules.contains("option"), rules.contains("prefix"));
    }

}
