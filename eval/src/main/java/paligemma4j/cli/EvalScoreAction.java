package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.io.Ids;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.run.RunScoring;

/**
 * {@code eval score BENCH --data DIR --predictions A.jsonl [B.jsonl ...] [--partial]}: scores one or
 * several predictions files (the shards of a run) as one. An id in two files is refused, naming both
 * files and the first shared ids. Split ids without a prediction are refused with their count and the
 * first few, unless {@code --partial}: then the predicted examples are scored alone and the result
 * says {@code "partial": true}, as a {@code --limit} run's report does.
 */
final class EvalScoreAction {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalScoreAction() {}

    static int score(Benchmark bench, Args args, PrintStream out) throws Exception {
        Path dir = EvalCommand.dataDir(args);
        List<Path> files = new ArrayList<>();
        for (String f : args.all("predictions")) {
            Path p = Path.of(f);
            if (!Files.isRegularFile(p)) throw new UsageException("--predictions: no such file: " + p);
            files.add(p);
        }
        if (files.isEmpty()) throw new UsageException("missing --predictions (see --help)");
        ScoreOptions o = EvalCommand.scoreOptions(args, args.get("split"), args.get("dataset"));
        Predictions predictions = Predictions.readAll(files);
        Map<String, Object> result;
        List<Long> missing = List.of();
        if (files.size() == 1 && !args.flag("partial")) {
            result = bench.score(dir, o, predictions);        // the single-file messages name the first missing id
        } else {
            ScoreOptions withDefaults = withDefaults(bench, o);
            List<Long> ids = bench.examples(dir, withDefaults, null).stream().map(EvalExample::id).toList();
            String splitName = splitName(bench, withDefaults);
            predictions.requireKnown(ids, splitName);
            missing = predictions.missing(ids);
            if (missing.isEmpty()) {
                result = bench.score(dir, o, predictions);
            } else if (!args.flag("partial")) {
                throw new EvalException(missing.size() + " of " + ids.size() + " ids of " + splitName + " have no prediction in "
                        + describe(files) + ": " + Ids.firstFew(missing) + " (a shard missing? --partial scores the rest)");
            } else {
                if (missing.size() == ids.size()) throw new EvalException("no prediction in " + describe(files) + " is for " + splitName);
                result = new LinkedHashMap<>(RunScoring.scoreSubset(bench, dir, withDefaults,
                        new HashSet<>(predictions.byId().keySet()), predictions));
                result.put("split_size", ids.size());
                result.put("missing", missing.size());
                result.put("missing_ids", missing.subList(0, Math.min(Ids.FEW, missing.size())));
            }
        }
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(result));
        } else {
            StringBuilder sb = new StringBuilder();
            result.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append('=').append(v));
            out.println(sb);
        }
        return 0;
    }

    /** The split (and RefCOCO dataset) a benchmark scores when none is given, as {@link Benchmark#score} picks it. */
    static ScoreOptions withDefaults(Benchmark b, ScoreOptions o) {
        String split = o.split() != null ? o.split() : switch (b) {
            case POPE -> "random";
            case COCOCAP, REFCOCO -> "val";
            case MMVP -> null;
        };
        String dataset = b == Benchmark.REFCOCO && o.dataset() == null ? "refcoco" : o.dataset();
        return new ScoreOptions(split, dataset, o.vae(), o.popeParser(), o.mmvpMatcher());
    }

    private static String splitName(Benchmark b, ScoreOptions o) {
        return b.cliName + (o.dataset() == null || b != Benchmark.REFCOCO ? "" : " " + o.dataset())
                + (o.split() == null || b == Benchmark.MMVP ? "" : " " + o.split());
    }

    private static String describe(List<Path> files) {
        return files.size() == 1 ? files.get(0).toString() : "the " + files.size() + " files";
    }
}
