package paligemma4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.shard.Shard;
import paligemma4j.eval.shard.ShardRecord;
import paligemma4j.eval.mmvp.MmvpMatcher;
import paligemma4j.eval.pope.PopeParser;
import paligemma4j.eval.run.EvalRun;
import paligemma4j.eval.run.ModelSession;
import paligemma4j.eval.run.Protocol;
import paligemma4j.eval.run.RunConfig;
import paligemma4j.kernels.Ops;
import paligemma4j.model.KVCache;
import paligemma4j.model.MemoryGuard;
import paligemma4j.model.SystemMemory;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code paligemma eval}, two actions:
 * <ul>
 *   <li>{@code eval pope|mmvp|cococap|refcoco --data DIR --checkpoint C [--tokenizer T] --out RUN_DIR [...]}:
 *       runs the model over a split with the published protocol ({@link EvalRun}), resumable;</li>
 *   <li>{@code eval score BENCH --data DIR --predictions A.jsonl [B.jsonl ...] [...] --json}: scores
 *       predictions files with {@link Benchmark#score}, the code the runner uses ({@link EvalScoreAction}).
 *       Prints one JSON object; metrics are percentages as in the published table, unrounded.</li>
 *   <li>{@code eval BENCH ... --shard K/N}: one shard of the run; {@code --shards N [--submit slurm]}
 *       prints the N shard commands or submits them as a Slurm job array ({@link EvalShardsAction});
 *       {@code eval collect RUN_DIR [--wait]} merges the shards into one report ({@link EvalCollectAction}).</li>
 * </ul>
 */
public final class EvalCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> RUN_ONLY = List.of("checkpoint", "tokenizer", "out", "resume", "limit", "beam",
            "max-tokens", "text-len", "prompt-template", "resize", "kv-cache", "threads", "backend", "device", "published-row", "progress",
            "shard", "shards", "submit", "sbatch-args", "check-weights");
    private static final List<String> SCORE_ONLY = List.of("predictions", "partial");
    private static final List<String> COLLECT_ONLY = List.of("wait", "poll");

    public String name() { return "eval"; }

    public String summary() { return "eval BENCH: run a benchmark (pope|mmvp|cococap|refcoco), whole or in shards; eval score BENCH: score predictions; eval collect RUN_DIR: merge shards"; }

    public Args.Spec spec() {
        Args.Spec spec = new Args.Spec("pope|mmvp|cococap|refcoco --data DIR --checkpoint C [--tokenizer T] --out RUN_DIR [options]\n"
                + "       paligemma eval BENCH ... --out RUN_DIR --shard K/N           (shard K, 0-based, of N)\n"
                + "       paligemma eval BENCH ... --out RUN_DIR --shards N [--submit slurm [--sbatch-args \"...\"]]\n"
                + "       paligemma eval collect RUN_DIR [--wait] [--json]\n"
                + "       paligemma eval score pope|mmvp|cococap|refcoco --data DIR --predictions A.jsonl [B.jsonl ...] [--partial] [options] [--json]\n"
                + "Run defaults follow the released big_vision configs (docs/eval.md): pope/mmvp/refcoco greedy, max 48 tokens,\n"
                + "prompt cap 48; cococap beam 2, max 32, cap 32; all bilinear resize without antialias, bf16 KV cache.")
                .positional("BENCH|score|collect", "a benchmark to run, 'score' or 'collect'")
                .positional("BENCH|RUN_DIR", "after 'score': pope | mmvp | cococap | refcoco; after 'collect': the sharded run's --out")
                .option("data", "DIR", "benchmark data directory (files as distributed)", null)
                .option("split", "S", "pope: random|popular|adversarial (random); cococap: val|test (val); refcoco: val|testA|testB|test (val)", null)
                .option("dataset", "D", "refcoco: refcoco|refcoco+|refcocog", "refcoco")
                .option("vae", "FILE", "refcoco: VQ-VAE weights (default DIR/vae-oid.npz)", null)
                .option("pope-parser", "P", "pope: big_vision (published protocol) | original (POPE repo's evaluate.py)", "big_vision")
                .option("mmvp-match", "RULES", "mmvp: comma list of letter,option,prefix (docs/eval-protocols.md)", "letter,option,prefix")
                .manyOption("predictions", "FILE", "score: JSONL files, one {\"id\": ..., \"answer\": \"...\"} per line; several (shards) are scored together, an id in two files is refused")
                .flag("partial", "score: score the predicted ids when some ids of the split have none (the result says partial)")
                .option("checkpoint", "C", "run: " + ModelPaths.CHECKPOINT_HELP, null)
                .option("tokenizer", "T", "run: " + ModelPaths.TOKENIZER_HELP, null)
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
                .option("shard", "K/N", "run: only shard K (0-based) of N; each image's examples stay in one shard (docs/eval-cluster.md)", null)
                .option("shards", "N", "run: split the run into N shards under RUN_DIR/shard-K/: print the N commands, or submit them with --submit", null)
                .option("submit", "slurm", "run with --shards: write RUN_DIR/" + EvalShardsAction.SCRIPT + " (a job array, one task per shard), submit it with sbatch, print the job id", null)
                .option("sbatch-args", "\"ARGS\"", "run with --submit slurm: sbatch options for every task, e.g. \"--partition=gpu --gres=gpu:1 --time=12:00:00\"", null)
                .flag("wait", "collect: wait until every shard has finished (fails when one has failed or left the queue unfinished)")
                .option("poll", "SECONDS", "collect --wait: seconds between checks", "30")
                .flag("json", "print exactly one JSON object (score: the metrics; run: the report)")
                .flag("check-weights", "run: " + GenerateCommand.CHECK_WEIGHTS_HELP);
        DecoderOptions.add(spec);
        return spec;
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String action = args.positional(0);
        if (action.equals("score")) {
            refuse(args, RUN_ONLY, "eval score");
            refuse(args, COLLECT_ONLY, "eval score");
            return EvalScoreAction.score(benchmark(args.positional(1)), args, out);
        }
        if (action.equals("collect")) {
            for (String o : args.given().keySet()) {
                if (!COLLECT_ONLY.contains(o) && !o.equals("json")) throw new UsageException("--" + o + " does not apply to eval collect (see --help)");
            }
            return EvalCollectAction.collect(Path.of(args.positional(1)), args, out, err);
        }
        Benchmark bench = benchmark(action);
        refuse(args, SCORE_ONLY, "eval " + action);
        refuse(args, COLLECT_ONLY, "eval " + action);
        String extra = null;
        try {
            extra = args.positional(1);
        } catch (UsageException none) {
            // a run takes one positional
        }
        if (extra != null) throw new UsageException("unexpected argument '" + extra + "' (see --help)");
        if (args.has("shards")) return EvalShardsAction.plan(bench, args, out, err);
        for (String o : List.of("submit", "sbatch-args")) {
            if (args.has(o)) throw new UsageException("--" + o + " needs --shards N");
        }
        return runBenchmark(bench, args, out, err);
    }

    /** What a run command line asks for: the run's settings, its scoring options and how to open the model. */
    record RunSettings(RunConfig config, ScoreOptions scoring, String publishedRow, ModelSession.Opener opener) {}

    /** Reads the run options of {@code args} (not --out, --resume, --progress): files must exist, values be valid. */
    static RunSettings runSettings(Benchmark bench, Args args) throws Exception {
        Path dir = dataDir(args);
        Path ckpt = args.existingFile("checkpoint");
        Path tok = ModelPaths.tokenizer(args, ckpt);
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

        Shard shard = null;
        if (args.has("shard")) {
            try {
                shard = Shard.parse(args.get("shard"));
            } catch (EvalException e) {
                throw new UsageException(e.getMessage());
            }
        }
        GemmaSettings.Overrides given = DecoderOptions.parse(args);
        MemoryGuard memory = MemoryGuard.of(null, p.textLen(), p.beam(), false, SystemMemory::available);
        RunConfig config = new RunConfig(bench, split, dataset, dir, ckpt, Files.size(ckpt), tok, Files.size(tok), p, limit,
                DecoderOptions.resolve(ckpt, given), shard);
        return new RunSettings(config, scoreOptions(args, split, dataset), args.get("published-row"),
                () -> open(ckpt, tok, Backends.open(backend, threads, device), given, memory));
    }

    private int runBenchmark(Benchmark bench, Args args, PrintStream out, PrintStream err) throws Exception {
        RunSettings s = runSettings(bench, args);
        Path runDir = Path.of(args.require("out"));
        EvalRun.Request request = new EvalRun.Request(s.config(), runDir, args.flag("resume"), s.scoring(), s.publishedRow(),
                switch (args.choice("progress", "auto", "bar", "lines")) {
                    case "bar" -> true;
                    case "lines" -> false;
                    default -> System.console() != null && System.console().isTerminal();
                });
        EvalRun.Outcome o = EvalRun.run(request, s.opener(), err);
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(o.report()));
        } else if (s.config().shard() != null) {
            out.println(shardSummary(o.report(), runDir));
        } else {
            out.println(summary(o.report(), runDir));
        }
        return 0;
    }

    /** {@code pope random shard 1/3: 6 predictions, 2.31 s, 2.6 examples/s | RUN/shard-1/shard.json}. */
    private static String shardSummary(JsonNode r, Path runDir) {
        return String.format(Locale.ROOT, "shard %s: %d predictions, %.2f s, %.2f examples/s | %s",
                r.get("shard").asText(), r.get("predictions").asInt(), r.get("wall_seconds").asDouble(),
                r.get("examples_per_second").asDouble(), runDir.resolve(ShardRecord.FILE));
    }

    /** Loads the tokenizer and checkpoint on {@code ops} (closed with the session) and checks that they belong together. */
    static ModelSession open(Path ckpt, Path tok, Ops ops, GemmaSettings.Overrides settings, MemoryGuard memory) {
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.load(tok);
        } catch (RuntimeException e) {
            close(ops);
            throw e;
        }
        PaliGemma model;
        try {
            model = PaliGemma.load(ckpt, ops, WeightConverter.STORED, settings, memory);
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
    static String summary(JsonNode r, Path runDir) {
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
            throw new UsageException(e.getMessage() + " (or 'score', 'collect')");
        }
    }

    static Path dataDir(Args args) {
        Path dir = Path.of(args.require("data"));
        if (!Files.isDirectory(dir)) throw new UsageException("--data: no such directory: " + dir);
        return dir;
    }

    private static void refuse(Args args, List<String> options, String action) {
        for (String o : options) if (args.has(o)) throw new UsageException("--" + o + " does not apply to " + action + " (see --help)");
    }

    static ScoreOptions scoreOptions(Args args, String split, String dataset) {
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
