package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.shard.ShardRecord;
import paligemma4j.eval.shard.ShardSplit;

/**
 * {@code paligemma eval BENCH ... --out RUN_DIR}: runs the model over a benchmark split, appending each
 * prediction to {@code RUN_DIR/predictions.jsonl} as soon as it exists, then scores the file and writes
 * {@code report.json} and {@code report.md}. {@code RUN_DIR/run.json} holds the run's settings; a
 * {@code --resume} continues after the last complete prediction and is refused if the settings differ.
 * A directory that already holds a run is never overwritten without {@code --resume}.
 * With a shard in the config ({@code --shard K/N}) only that shard's examples run
 * ({@link ShardSplit}), and the run ends with {@code shard.json} ({@link ShardRecord}) instead of a
 * report: a shard alone is not a score; {@code eval collect} merges the shards.
 */
public final class EvalRun {
    public static final String RUN_JSON = "run.json", PREDICTIONS = "predictions.jsonl", SHARDS_JSON = "shards.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One invocation.
     *
     * @param config       the run's settings
     * @param runDir       {@code --out}
     * @param resume       {@code --resume}
     * @param scoring      scoring options (split and dataset as in {@code config}; POPE parser, MMVP matcher, VQ-VAE)
     * @param publishedRow {@code --published-row}, or null
     * @param interactive  redraw the progress bar in place (stderr is a terminal)
     */
    public record Request(RunConfig config, Path runDir, boolean resume, ScoreOptions scoring, String publishedRow,
                          boolean interactive) {}

    /**
     * What a run did.
     *
     * @param report        the report object (as written to report.json); for a shard, its shard.json
     * @param predictions   complete predictions in the file
     * @param recovered     predictions found by {@code --resume}
     * @param ran           predictions made in this session
     * @param imagesEncoded images encoded in this session
     * @param seconds       this session's seconds spent on examples
     */
    public record Outcome(ObjectNode report, int predictions, int recovered, int ran, int imagesEncoded, double seconds) {}

    private EvalRun() {}

    public static Outcome run(Request q, ModelSession.Opener opener, PrintStream err) throws Exception {
        return run(q, opener, err, done -> {});
    }

    /**
     * As {@link #run(Request, ModelSession.Opener, PrintStream)}, calling {@code afterEach} with the count of
     * complete predictions after each one is on disk (an exception thrown there stops the run like a crash).
     */
    public static Outcome run(Request q, ModelSession.Opener opener, PrintStream err, IntConsumer afterEach)
            throws Exception {
        long started = System.nanoTime();
        RunConfig c = q.config();
        Benchmark b = c.benchmark();
        Path runJson = q.runDir().resolve(RUN_JSON), predFile = q.runDir().resolve(PREDICTIONS);
        if (Files.exists(q.runDir()) && !Files.isDirectory(q.runDir())) throw new EvalException(q.runDir() + " is not a directory (--out)");
        PublishedNumbers.Row selected = selectRow(c, q.publishedRow());

        List<EvalExample> all = b.examples(c.data(), q.scoring(), c.protocol().promptTemplate());
        List<EvalExample> examples = c.limit() > 0 && c.limit() < all.size() ? all.subList(0, c.limit()) : all;
        if (b == Benchmark.MMVP && examples.size() % 2 != 0) {
            throw new EvalException("mmvp: --limit must be even (questions come in pairs), got " + c.limit());
        }
        if (c.shard() != null) examples = ShardSplit.select(examples, c.shard());
        Files.createDirectories(q.runDir());
        try (RunLock lock = RunLock.acquire(q.runDir())) {
            JsonNode stored = checkRunDir(q, runJson, predFile);
            return run(q, opener, err, afterEach, c, b, runJson, predFile, stored, selected, all, examples, started);
        }
    }

    private static Outcome run(Request q, ModelSession.Opener opener, PrintStream err, IntConsumer afterEach,
                               RunConfig c, Benchmark b, Path runJson, Path predFile, JsonNode stored,
                               PublishedNumbers.Row selected, List<EvalExample> all, List<EvalExample> examples,
                               long started) throws Exception {
        int resolution = stored == null ? 0 : stored.path("model").path("resolution").asInt(0);
        requireResolution(selected, resolution);
        int ran = 0, encoded = 0, recovered;
        long t0 = System.nanoTime();
        try (PredictionLog log = PredictionLog.open(predFile, examples)) {
            recovered = log.recovered();
            if (log.tornBytes() > 0) err.println("eval: dropped a torn last line (" + log.tornBytes() + " bytes) of " + predFile);
            if (stored != null) err.println("eval: resuming " + q.runDir() + " after " + recovered + " of " + examples.size() + " predictions");
            if (log.count() < examples.size()) {
                requireImages(examples.subList(log.count(), examples.size()));
                try (ModelSession session = opener.open()) {
                    ExampleRunner runner = new ExampleRunner(session, c.protocol());
                    resolution = runner.resolution();
                    requireResolution(selected, resolution);
                    if (stored == null) writeRunJson(runJson, c, resolution);
                    String label = b.cliName + (c.dataset() == null ? "" : " " + c.dataset()) + (c.split() == null ? "" : " " + c.split())
                            + (c.shard() == null ? "" : " shard " + c.shard().label());
                    Progress progress = new Progress(err, label, examples.size(), log.count(), q.interactive(), System::nanoTime);
                    t0 = System.nanoTime();
                    for (int i = log.count(); i < examples.size(); i++) {
                        log.append(runner.run(examples.get(i)));
                        ran++;
                        progress.update(log.count());
                        afterEach.accept(log.count());
                    }
                    encoded = runner.imagesEncoded();
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (stored == null && !Files.exists(runJson)) writeRunJson(runJson, c, resolution);   // an empty shard
        if (c.shard() != null) {
            ObjectNode record = ShardRecord.update(q.runDir(), c.shard(), new ShardRecord.Session(examples.size(),
                    examples.size(), ran, encoded, (System.nanoTime() - started) / 1e9, ran == 0 ? 0 : seconds));
            return new Outcome(record, examples.size(), recovered, ran, encoded, seconds);
        }
        ScoreOptions so = q.scoring();
        Map<String, Object> metrics = RunScoring.score(b, c.data(), so, examples, all.size(), predFile);
        ObjectNode scoring = scoringJson(b, c, so);
        ObjectNode session = JsonNodeFactory.instance.objectNode();
        session.put("predictions", examples.size());
        session.put("recovered_by_resume", recovered);
        session.put("predicted_now", ran);
        session.put("images_encoded_now", encoded);
        session.put("seconds_now", Math.round(seconds * 1000) / 1000.0);
        session.put("seconds_per_example_now", ran == 0 ? 0 : Math.round(seconds / ran * 10000) / 10000.0);
        ObjectNode report = RunReport.build(c, metrics, resolution, all.size(), selected, scoring, session);
        RunReport.write(q.runDir(), report);
        return new Outcome(report, examples.size(), recovered, ran, encoded, seconds);
    }

    /** The scoring options as the report lists them (POPE parser, MMVP rules, VQ-VAE file). */
    public static ObjectNode scoringJson(Benchmark b, RunConfig c, ScoreOptions so) {
        ObjectNode scoring = JsonNodeFactory.instance.objectNode();
        if (b == Benchmark.POPE) scoring.put("pope_parser", so.popeParser() == null ? "big_vision" : so.popeParser().name().toLowerCase());
        if (b == Benchmark.MMVP) scoring.put("mmvp_match", mmvpRules(so.mmvpMatcher()));
        if (b == Benchmark.REFCOCO) scoring.put("vae", String.valueOf(so.vae() == null ? c.data().resolve("vae-oid.npz") : so.vae()));
        return scoring;
    }

    /** The stored run.json for a resume (null for a new run); refuses what must not be touched. */
    private static JsonNode checkRunDir(Request q, Path runJson, Path predFile) throws IOException {
        if (Files.exists(q.runDir().resolve(SHARDS_JSON))) {
            throw new EvalException(q.runDir() + " holds a sharded run (" + SHARDS_JSON + "): its shards run in "
                    + q.runDir().resolve("shard-K") + "; merge them with eval collect, or choose another --out");
        }
        boolean hasRun = Files.exists(runJson);
        long predBytes = Files.exists(predFile) ? Files.size(predFile) : 0;
        if (!q.resume()) {
            if (hasRun || predBytes > 0) {
                throw new EvalException(q.runDir() + " already holds a run (" + (hasRun ? RUN_JSON : PREDICTIONS)
                        + "); pass --resume to continue it, or choose another --out");
            }
            return null;
        }
        if (!hasRun) {
            if (predBytes > 0) {
                throw new EvalException(predFile + " has predictions but " + runJson + " is missing: not a run to resume");
            }
            return null;                                            // --resume of nothing: start the run
        }
        JsonNode stored;
        try {
            stored = JSON.readTree(runJson.toFile());
        } catch (IOException e) {
            throw new EvalException(runJson + ": not readable JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (stored == null || !stored.path("config").isObject()) throw new EvalException(runJson + ": no \"config\" object");
        String diff = q.config().differenceFrom(stored.get("config"));
        if (diff != null) throw new EvalException("--resume refused: " + diff + " (" + runJson + ")");
        return stored;
    }

    private static String mmvpRules(paligemma4j.eval.mmvp.MmvpMatcher m) {
        if (m == null) m = paligemma4j.eval.mmvp.MmvpMatcher.DEFAULT;
        List<String> rules = new java.util.ArrayList<>();
        if (m.letter()) rules.add("letter");
        if (m.optionText()) rules.add("option");
        if (m.letterPrefix()) rules.add("prefix");
        return String.join(",", rules);
    }

    static PublishedNumbers.Row selectRow(RunConfig c, String name) {
        if (name == null) return null;
        List<PublishedNumbers.Row> rows = PublishedNumbers.rows(c.benchmark(), c.split(), c.dataset());
        for (PublishedNumbers.Row r : rows) if (r.name().equals(name)) return r;
        throw new EvalException("--published-row " + name + ": no such published number for this benchmark/split; "
                + (rows.isEmpty() ? "none is published" : "rows: " + String.join(", ", rows.stream().map(PublishedNumbers.Row::name).toList())));
    }

    static void requireResolution(PublishedNumbers.Row selected, int resolution) {
        if (selected != null && resolution != 0 && selected.resolution() != resolution) {
            throw new EvalException("--published-row " + selected.name() + " is a " + selected.resolution()
                    + " px number but the checkpoint's images are " + resolution + " px");
        }
    }

    private static void requireImages(List<EvalExample> todo) {
        Set<Path> seen = new LinkedHashSet<>();
        for (EvalExample e : todo) {
            if (seen.add(e.image()) && !Files.isRegularFile(e.image())) {
                throw new EvalException("image of example id " + e.id() + " not found: " + e.image());
            }
        }
    }

    private static void writeRunJson(Path runJson, RunConfig c, int resolution) throws IOException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("tool", "paligemma4j eval");
        o.put("created", Instant.now().toString());
        if (c.shard() != null) o.put("shard", c.shard().label());
        o.set("config", c.toJson());
        ObjectNode files = o.putObject("paths");
        files.put("data", c.data().toAbsolutePath().toString());
        files.put("checkpoint", c.checkpoint().toAbsolutePath().toString());
        files.put("tokenizer", c.tokenizer().toAbsolutePath().toString());
        o.putObject("model").put("resolution", resolution);
        Path tmp = runJson.resolveSibling(RUN_JSON + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, runJson, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
