package paligemma4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Paths of the committed fixtures under {@code src/test/resources/eval/} (made by scripts/eval/*.py). */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    public static Path path(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/eval/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture missing: eval/" + relative + " (run scripts/eval/*.py)", e);
        }
    }

    /** A JSON file, gzip-compressed if its name ends with .gz. */
    public static JsonNode json(String relative) {
        Path p = path(relative);
        try (InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(p))
                : Files.newInputStream(p)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    public static List<List<String>> stringLists(JsonNode array) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode n : array) out.add(strings(n));
        return out;
    }
}
