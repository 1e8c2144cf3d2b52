package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;

/**
 * {@code RUN_DIR/predictions.jsonl}, written one line per prediction as soon as it exists (one
 * {@code write} of the whole line, then {@code fsync}), so a killed run leaves complete lines plus
 * at most one torn last line without its newline. {@link #open} drops that torn tail and checks that
 * the complete lines are the first examples of the run, in order: a resume then continues after them
 * with nothing lost and nothing written twice.
 */
public final class PredictionLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final int recovered;
    private final long tornBytes;
    private int count;

    private PredictionLog(Path file, FileChannel channel, int recovered, long tornBytes) {
        this.file = file;
        this.channel = channel;
        this.recovered = recovered;
        this.tornBytes = tornBytes;
        this.count = recovered;
    }

    /**
     * Opens (creating) the log for appending. Existing complete lines must carry the ids of
     * {@code examples} 0, 1, ... in that order; a last line without its newline is cut off the file.
     *
     * @throws EvalException naming the line when a complete line is not a prediction of this run
     */
    public static PredictionLog open(Path file, List<EvalExample> examples) {
        try {
            byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') end--;           // a torn last line has no newline
            int lines = 0, start = 0;
            for (int i = 0; i < end; i++) {
                if (bytes[i] != '\n') continue;
                String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                start = i + 1;
                lines++;
                check(file, lines, line, examples);
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ch.truncate(end);
            ch.position(end);
            return new PredictionLog(file, ch, lines, bytes.length - end);
        } catch (IOException e) {
            throw new EvalException(file + ": cannot open the predictions log: " + e.getMessage(), e);
        }
    }

    private static void check(Path file, int lineNo, String line, List<EvalExample> examples) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            throw new EvalException(file + " line " + lineNo + ": not a JSON prediction line; the file is damaged"
                    + " (delete the line and everything after it to resume from there)");
        }
        JsonNode id = n == null ? null : n.get("id");
        JsonNode answer = n == null ? null : n.get("answer");
        if (id == null || !id.canConvertToLong() || answer == null || !answer.isTextual()) {
            throw new EvalException(file + " line " + lineNo + ": expected {\"id\": integer, \"answer\": string, ...}");
        }
        if (lineNo > examples.size()) {
            throw new EvalException(file + " line " + lineNo + ": the run has only " + examples.size()
                    + " examples but the file holds more predictions");
        }
        long expected = examples.get(lineNo - 1).id();
        if (id.asLong() != expected) {
            throw new EvalException(file + " line " + lineNo + ": id " + id.asLong() + " but example " + lineNo
                    + " of the run has id " + expected + " (not a log of this run)");
        }
    }

    /** Appends one prediction as a single line and forces it to disk. */
    public void append(ObjectNode prediction) {
        try {
            byte[] line = (JSON.writeValueAsString(prediction) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) channel.write(buf);
            channel.force(false);
            count++;
        } catch (IOException e) {
            throw new EvalException(file + ": cannot append a prediction: " + e.getMessage(), e);
        }
    }

    /** Complete predictions in the file (recovered plus appended). */
    public int count() {
        return count;
    }

    /** Complete predictions found when the log was opened. */
    public int recovered() {
        return recovered;
    }

    /** Bytes of a torn last line that {@link #open} cut off (0 if none). */
    public long tornBytes() {
        return tornBytes;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new EvalException(file + ": cannot close the predictions log: " + e.getMessage(), e);
        }
    }
}
