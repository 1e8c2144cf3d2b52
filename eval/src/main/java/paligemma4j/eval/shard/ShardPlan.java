package paligemma4j.eval.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.EvalException;

/**
 * {@code RUN_DIR/shards.json}, written by {@code eval BENCH ... --shards N}: how many shards, the
 * command-line arguments every shard runs with (absolute paths; without {@code --out}, {@code --shard},
 * {@code --resume}), the launcher, and the Slurm array jobs submitted for it (latest last).
 * {@code eval collect} rebuilds the run's settings from {@code args}.
 *
 * @param count    N
 * @param args     {@code BENCH --data DIR ...}, as given to {@code paligemma eval}
 * @param launcher the absolute path of {@code scripts/paligemma}
 * @param jobIds   Slurm job ids of the submitted arrays, oldest first (empty: no scheduler)
 */
public record ShardPlan(int count, List<String> args, String launcher, List<String> jobIds) {
    public static final String FILE = "shards.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ShardPlan {
        args = List.copyOf(args);
        jobIds = List.copyOf(jobIds);
    }

    /** The same plan with one more submitted job. */
    public ShardPlan withJob(String jobId) {
        List<String> ids = new ArrayList<>(jobIds);
        ids.add(jobId);
        return new ShardPlan(count, args, launcher, ids);
    }

    /** The latest submitted Slurm job, or null. */
    public String lastJob() {
        return jobIds.isEmpty() ? null : jobIds.get(jobIds.size() - 1);
    }

    /** True if {@code other} runs the same shards (count and arguments). */
    public boolean sameRun(ShardPlan other) {
        return count == other.count && args.equals(other.args);
    }

    /** The arguments of shard {@code k}: {@link #args} plus {@code --out RUN_DIR/shard-K --shard K/N --resume}. */
    public List<String> shardArgs(Path runDir, int k) {
        Shard s = new Shard(k, count);
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--out", runDir.resolve(s.dirName()).toString(), "--shard", s.label(), "--resume"));
        return a;
    }

    public void write(Path runDir) {
        ObjectNode o = JSON.createObjectNode();
        o.put("tool", "paligemma4j eval");
        o.put("written", Instant.now().toString());
        o.put("shards", count);
        ArrayNode a = o.putArray("args");
        args.forEach(a::add);
        o.put("launcher", launcher);
        ArrayNode j = o.putObject("slurm").putArray("job_ids");
        jobIds.forEach(j::add);
        Path file = runDir.resolve(FILE), tmp = runDir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EvalException(file + ": cannot write the shard plan: " + e.getMessage(), e);
        }
    }

    /** The plan in {@code runDir}, or null if it has none. */
    public static ShardPlan read(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) return null;
        JsonNode o;
        try {
            o = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new EvalException(file + ": not readable JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (o == null || !o.path("shards").canConvertToInt() || o.path("shards").asInt() < 1 || !o.path("args").isArray()) {
            throw new EvalException(file + ": expected {\"shards\": N >= 1, \"args\": [...], ...}");
        }
        List<String> args = new ArrayList<>(), jobs = new ArrayList<>();
        o.get("args").forEach(n -> args.add(n.asText()));
        o.path("slurm").path("job_ids").forEach(n -> jobs.add(n.asText()));
        return new ShardPlan(o.get("shards").asInt(), args, o.path("launcher").asText(""), jobs);
    }
}
