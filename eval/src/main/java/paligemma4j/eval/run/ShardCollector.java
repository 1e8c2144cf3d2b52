package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.io.Ids;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.shard.Shard;
import paligemma4j.eval.shard.ShardRecord;
import paligemma4j.eval.shard.ShardSplit;
import paligemma4j.eval.shard.SlurmQueue;

/**
 * {@code eval collect}: the state of each shard of a sharded run (from the shard's own files and,
 * when the run was submitted to Slurm, the scheduler's view of its array task), and, once every
 * shard is complete, the merge: the shards' predictions in split order as
 * {@code RUN_DIR/predictions.jsonl}, scored by the code an unsharded run uses, and
 * {@code RUN_DIR/report.json} / {@code report.md} with each shard's wall time and throughput.
 */
public final class ShardCollector {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The run being collected.
     *
     * @param config       the unsharded run's settings (shard null)
     * @param scoring      scoring options
     * @param publishedRow {@code --published-row}, or null
     * @param count        N shards
     */
    public record Run(RunConfig config, ScoreOptions scoring, String publishedRow, int count) {}

    /**
     * One shard now.
     *
     * @param shard       the shard
     * @param examples    its examples
     * @param predictions complete predictions in its file
     * @param done        its shard.json says every prediction is on disk
     * @param task        Slurm's view of its array task (null: Slurm does not know it, or no scheduler)
     * @param lost        not done and no longer in Slurm's queue: it will not finish without a resubmit
     */
    public record ShardState(Shard shard, int examples, int predictions, boolean done, SlurmQueue.Task task,
                             boolean lost) {
        /** {@code done}, {@code RUNNING 3/6}, {@code FAILED (exit 1:0) 2/6}, {@code not started}... */
        public String describe() {
            if (done) return "done (" + examples + " examples)";
            String s = task == null ? (lost ? "not in the queue" : predictions > 0 ? "unfinished" : "not started")
                    : task.state() + (task.reason().isEmpty() ? "" : " (" + task.reason() + ")");
            return s + ", " + predictions + "/" + examples + " predictions";
        }
    }

    private ShardCollector() {}

    /**
     * The run's examples.
     *
     * @param splitSize the split's size
     * @param examples  the run's examples (the first {@code --limit} of the split, or all), in split order
     * @param shards    each shard's examples, as the shard runs select them
     */
    public record Split(int splitSize, List<EvalExample> examples, List<List<EvalExample>> shards) {}

    public static Split split(Run run) {
        RunConfig c = run.config();
        List<EvalExample> all = c.benchmark().examples(c.data(), run.scoring(), c.protocol().promptTemplate());
        List<EvalExample> examples = c.limit() > 0 && c.limit() < all.size() ? all.subList(0, c.limit()) : all;
        return new Split(all.size(), examples, ShardSplit.split(examples, run.count()));
    }

    /**
     * Each shard's state.
     *
     * @param tasks Slurm's tasks of the run's array job, or null when it was not submitted to Slurm
     */
    public static List<ShardState> states(Path runDir, Run run, Split split, Map<Integer, SlurmQueue.Task> tasks) {
        List<List<EvalExample>> shards = split.shards();
        List<ShardState> out = new ArrayList<>();
        for (int k = 0; k < run.count(); k++) {
            Shard s = new Shard(k, run.count());
            Path dir = runDir.resolve(s.dirName());
            int n = shards.get(k).size();
            JsonNode rec = ShardRecord.read(dir);
            boolean done = rec != null && rec.path("shard").asText().equals(s.label()) && rec.path("complete").asBoolean()
                    && rec.path("examples").asInt(-1) == n;
            int predictions = done ? n : completeLines(dir.resolve(EvalRun.PREDICTIONS));
            SlurmQueue.Task task = tasks == null ? null : tasks.get(k);
            boolean lost = !done && tasks != null && (task == null || !task.alive());
            out.add(new ShardState(s, n, predictions, done, task, lost));
        }
        return out;
    }

    /** Merges complete shards into {@code RUN_DIR/predictions.jsonl}, scores them and writes the report. */
    public static ObjectNode merge(Path runDir, Run run, Split split) throws IOException {
        List<List<EvalExample>> shards = split.shards();
        RunConfig c = run.config();
        Benchmark b = c.benchmark();
        PublishedNumbers.Row selected = EvalRun.selectRow(c, run.publishedRow());
        List<Path> files = new ArrayList<>();
        List<JsonNode> records = new ArrayList<>();
        int resolution = 0;
        for (int k = 0; k < run.count(); k++) {
            Shard s = new Shard(k, run.count());
            Path dir = runDir.resolve(s.dirName());
            JsonNode runJson = readJson(dir.resolve(EvalRun.RUN_JSON));
            String diff = c.withShard(s).differenceFrom(runJson.path("config"));
            if (diff != null) throw new EvalException(dir.resolve(EvalRun.RUN_JSON) + ": not a shard of this run: " + diff);
            resolution = Math.max(resolution, runJson.path("model").path("resolution").asInt(0));
            JsonNode record = ShardRecord.read(dir);
            if (record == null) throw new EvalException(dir.resolve(ShardRecord.FILE) + " is missing: the shard has not finished");
            records.add(record);
            files.add(dir.resolve(EvalRun.PREDICTIONS));
        }
        EvalRun.requireResolution(selected, resolution);
        Predictions merged = Predictions.readAll(files);
        for (int k = 0; k < run.count(); k++) {
            Set<Long> want = new HashSet<>(shards.get(k).stream().map(EvalExample::id).toList());
            List<Long> foreign = new ArrayList<>();
            for (Prediction p : merged.byId().values()) {
                if (merged.fileOf(p).equals(files.get(k)) && !want.contains(p.id())) foreign.add(p.id());
            }
            if (!foreign.isEmpty()) {
                throw new EvalException(files.get(k) + ": " + foreign.size() + " ids that shard " + k + "/" + run.count()
                        + " does not have (" + Ids.firstFew(foreign) + ")");
            }
        }
        List<EvalExample> examples = split.examples();
        List<Long> missing = merged.missing(examples.stream().map(EvalExample::id).toList());
        if (!missing.isEmpty()) {
            throw new EvalException(missing.size() + " of " + examples.size() + " examples have no prediction in the shards: "
                    + Ids.firstFew(missing));
        }
        StringBuilder lines = new StringBuilder();
        for (EvalExample e : examples) lines.append(JSON.writeValueAsString(merged.byId().get(e.id()).line())).append('\n');
        Path out = runDir.resolve(EvalRun.PREDICTIONS), tmp = runDir.resolve(EvalRun.PREDICTIONS + ".tmp");
        Files.writeString(tmp, lines.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        int splitSize = split.splitSize();
        Map<String, Object> metrics = RunScoring.score(b, c.data(), run.scoring(), examples, splitSize, out);
        ArrayNode perShard = JsonNodeFactory.instance.arrayNode();
        int predicted = 0, encoded = 0;
        double wallSum = 0, wallMax = 0;
        for (JsonNode r : records) {
            ObjectNode o = perShard.addObject();
            for (String key : List.of("shard", "examples", "wall_seconds", "examples_per_second", "images_encoded", "sessions", "host", "slurm_job")) {
                o.set(key, r.get(key));
            }
            predicted += r.path("predicted").asInt();
            encoded += r.path("images_encoded").asInt();
            wallSum += r.path("wall_seconds").asDouble();
            wallMax = Math.max(wallMax, r.path("wall_seconds").asDouble());
        }
        ObjectNode session = JsonNodeFactory.instance.objectNode();
        session.put("predictions", examples.size());
        session.put("shards", run.count());
        session.put("predicted", predicted);
        session.put("images_encoded", encoded);
        session.put("wall_seconds_total", Math.round(wallSum * 1000) / 1000.0);
        session.put("wall_seconds_longest_shard", Math.round(wallMax * 1000) / 1000.0);
        session.put("examples_per_second_per_shard", wallSum == 0 ? 0 : Math.round(predicted / wallSum * 10000) / 10000.0);
        ObjectNode report = RunReport.build(c, metrics, resolution, splitSize, selected, EvalRun.scoringJson(b, c, run.scoring()), session);
        report.set("shards", perShard);
        RunReport.write(runDir, report);
        return report;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) throw new EvalException(file + " is missing: the shard never started");
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) throw new EvalException(file + ": expected a JSON object");
            return n;
        } catch (IOException e) {
            throw new EvalException(file + ": not readable JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Lines ending in a newline (complete predictions; a torn last line is not counted). */
    private static int completeLines(Path file) {
        if (!Files.isRegularFile(file)) return 0;
        try {
            byte[] bytes = Files.readAllBytes(file);
            int n = 0;
            for (byte x : bytes) if (x == '\n') n++;
            return n;
        } catch (IOException e) {
            return 0;
        }
    }
}
