package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads the golden data made by scripts/tokenizer/*.py from src/test/resources/tokenizer/. */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    static Path path(String name) {
        try {
            var url = Fixtures.class.getResource("/tokenizer/" + name);
            if (url == null) {
                throw new IllegalStateException("missing test resource tokenizer/" + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One JSON value per line of a gzip'd JSON-lines resource. */
    static List<JsonNode> jsonLines(String name) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Fixtures.class.getResourceAsStream("/tokenizer/" + name));
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    static List<String> strings() throws IOException {
        return jsonLines("strings.jsonl.gz").stream().map(JsonNode::asText).toList();
    }

    static JsonNode json(String name) throws IOException {
        return JSON.readTree(path(name).toFile());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** A readable form of a string for failure messages (escapes controls and non-ASCII). */
    static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\u{%X}", c));
            }
        });
        return sb.append('"').toString();
    }
}
