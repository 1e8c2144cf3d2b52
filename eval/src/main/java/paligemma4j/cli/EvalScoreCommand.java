package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.mmvp.MmvpMatcher;
import paligemma4j.eval.pope.PopeParser;

/**
 * {@code paligemma eval score BENCH --data DIR --predictions FILE.jsonl [--split S] [--dataset D] [--vae F] --json}:
 * scores a predictions file (lines {@code {"id": ..., "answer": ...}}) with {@link Benchmark#score}, the
 * code the runner uses. Prints one JSON object; metrics are percentages as in the published table,
 * unrounded. A missing, duplicated or unknown id fails with one line naming it.
 */
public final class EvalScoreCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() { return "eval"; }

    public String summary() { return "eval score BENCH: score a predictions file (pope|mmvp|cococap|refcoco)"; }

    public Args.Spec spec() {
        return new Args.Spec("score pope|mmvp|cococap|refcoco --data DIR --predictions FILE.jsonl [options] [--json]")
                .positional("score", "the word 'score'")
                .positional("BENCH", "pope | mmvp | cococap | refcoco")
                .option("data", "DIR", "benchmark data directory (files as distributed)", null)
                .option("predictions", "FILE", "JSONL, one {\"id\": ..., \"answer\": \"...\"} per line", null)
                .option("split", "S", "pope: random|popular|adversarial; cococap: val|test; refcoco: val|testA|testB|test", null)
                .option("dataset", "D", "refcoco: refcoco|refcoco+|refcocog", "refcoco")
                .option("vae", "FILE", "refcoco: VQ-VAE weights (default DIR/vae-oid.npz)", null)
                .option("pope-parser", "P", "pope: big_vision (published protocol) | original (POPE repo's evaluate.py)", "big_vision")
                .option("mmvp-match", "RULES", "mmvp: comma list of letter,option,prefix (spec §3.3)", "letter,option,prefix")
                .flag("json", "print exactly one JSON object");
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        if (!args.positional(0).equals("score")) {
            throw new UsageException("unknown eval action '" + args.positional(0) + "' (this build has: eval score)");
        }
        Benchmark bench;
        try {
            bench = Benchmark.byName(args.positional(1));
        } catch (RuntimeException e) {
            throw new UsageException(e.getMessage());
        }
        Path dir = Path.of(args.require("data"));
        if (!Files.isDirectory(dir)) throw new UsageException("--data: no such directory: " + dir);
        Path predictionsFile = args.existingFile("predictions");
        ScoreOptions options = new ScoreOptions(args.get("split"), args.get("dataset"),
                args.get("vae") == null ? null : Path.of(args.get("vae")), popeParser(args), mmvpMatcher(args));
        Map<String, Object> result = bench.score(dir, options, Predictions.read(predictionsFile));
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(result));
        } else {
            StringBuilder sb = new StringBuilder();
            result.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append('=').append(v));
            out.println(sb);
        }
        return 0;
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
