package paligemma4j.eval.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import paligemma4j.eval.EvalException;

/**
 * {@code RUN_DIR/shard-K/shard.json}, written by each session of a shard run that reaches its end:
 * the shard, its example count, whether every prediction is on disk, and its wall time and
 * throughput summed over the sessions that ended (a resumed shard adds its sessions; a killed
 * session's time is not counted). {@code eval collect} reads it.
 */
public final class ShardRecord {
    public static final String FILE = "shard.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * This session's counts.
     *
     * @param examples       the shard's examples
     * @param predictions    complete predictions in its file now
     * @param predictedNow   predictions made in this session
     * @param imagesEncoded  images encoded in this session
     * @param wallSeconds    this session's wall time, model loading included
     * @param exampleSeconds this session's seconds spent on examples
     */
    public record Session(int examples, int predictions, int predictedNow, int imagesEncoded, double wallSeconds,
                          double exampleSeconds) {}

    private ShardRecord() {}

    /** Adds {@code s} to the shard's record in {@code dir} (starting one if there is none) and writes it. */
    public static ObjectNode update(Path dir, Shard shard, Session s) {
        JsonNode old = read(dir);
        int sessions = 1, predicted = s.predictedNow(), encoded = s.imagesEncoded();
        double wall = s.wallSeconds(), onExamples = s.exampleSeconds();
        if (old != null && old.path("shard").asText().equals(shard.label())) {
            sessions += old.path("sessions").asInt();
            predicted += old.path("predicted").asInt();
            encoded += old.path("images_encoded").asInt();
            wall += old.path("wall_seconds").asDouble();
            onExamples += old.path("example_seconds").asDouble();
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("shard", shard.label());
        o.put("index", shard.index());
        o.put("count", shard.count());
        o.put("examples", s.examples());
        o.put("predictions", s.predictions());
        o.put("complete", s.predictions() == s.examples());
        o.put("predicted", predicted);
        o.put("images_encoded", encoded);
        o.put("wall_seconds", round3(wall));
        o.put("example_seconds", round3(onExamples));
        o.put("examples_per_second", wall == 0 ? 0 : Math.round(predicted / wall * 10000) / 10000.0);
        o.put("sessions", sessions);
        o.put("host", host());
        String job = System.getenv("SLURM_ARRAY_JOB_ID");
        if (job != null) o.put("slurm_job", job + "_" + System.getenv("SLURM_ARRAY_TASK_ID"));
        else if (System.getenv("SLURM_JOB_ID") != null) o.put("slurm_job", System.getenv("SLURM_JOB_ID"));
        else o.putNull("slurm_job");
        o.put("finished", Instant.now().toString());
        Path file = dir.resolve(FILE), tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EvalException(file + ": cannot write the shard record: " + e.getMessage(), e);
        }
        return o;
    }

    /** The record in {@code dir}, or null if there is none or it is not readable JSON. */
    public static JsonNode read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) return null;
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String host() {
        String h = System.getenv("SLURMD_NODENAME");
        if (h != null) return h;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
