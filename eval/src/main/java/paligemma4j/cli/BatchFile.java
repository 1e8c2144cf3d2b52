package paligemma4j.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code generate --batch} file: one JSON object {@code {"image": "...", "prompt": "..."}} per line (UTF-8;
 * blank lines are skipped; a relative image path is relative to the batch file). A line that cannot be a
 * request becomes an {@link Line} with an error, in our words with its line and column, so the other
 * lines still run.
 */
final class BatchFile {
    /** Largest batch file read (one line per request; a million requests is about 100 MB). */
    static final long MAX_BYTES = 1L << 30;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    /** One non-blank line: a request ({@code error == null}) or why it is not one. */
    record Line(int number, Path image, String prompt, String error) {
        static Line failed(int number, String error) {
            return new Line(number, null, null, error);
        }
    }

    private BatchFile() {}

    /** Reads {@code file}; an empty file (no request at all) is a {@link UsageException}. */
    static List<Line> read(Path file) {
        if (Files.isDirectory(file) || !Files.isRegularFile(file)) {
            throw new UsageException("--batch: " + file + " is not a file (expected JSON lines)");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) throw new UsageException("--batch: " + file + " is larger than " + MAX_BYTES + " bytes");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UsageException("--batch: cannot read " + file + " (" + e.getMessage() + ")");
        }
        return parse(file, bytes);
    }

    /** The lines of {@code bytes}; {@code file} names them in errors and anchors relative image paths. */
    static List<Line> parse(Path file, byte[] bytes) {
        Path dir = file.toAbsolutePath().getParent();
        List<Line> out = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            number++;
            int len = end - start;
            if (len > 0 && bytes[end - 1] == '\r') len--;
            Line line = line(number, bytes, start, len, dir);
            if (line != null) out.add(line);
            start = end + 1;
        }
        if (out.isEmpty()) {
            throw new UsageException("--batch: " + file + " holds no request: expected one JSON object"
                    + " {\"image\": \"...\", \"prompt\": \"...\"} per line");
        }
        return out;
    }

    /** One line, or null if it is blank. */
    private static Line line(int n, byte[] b, int off, int len, Path dir) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            return Line.failed(n, "line " + n + ": not valid UTF-8 (byte offset " + RawArgs.firstInvalid(b, off, len) + " of the line)");
        }
        if (text.isBlank()) return null;
        JsonNode j;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Line.failed(n, "line " + n + ": expected a JSON object {\"image\": \"...\", \"prompt\": \"...\"}, found "
                        + describe(p.currentToken(), p));
            }
            j = MAPPER.readTree(p);
            int end = (int) p.currentLocation().getCharOffset();
            int rest = end;
            while (rest < text.length() && Character.isWhitespace(text.charAt(rest))) rest++;
            if (rest < text.length()) {
                return Line.failed(n, "line " + n + ", column " + (rest + 1) + ": unexpected text after the JSON object (one object per line)");
            }
        } catch (JsonEOFException e) {
            return Line.failed(n, "line " + n + ", column " + (text.length() + 1) + ": the JSON object is not closed");
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            return Line.failed(n, "line " + n + ": JSON nested more than 64 levels deep or too long a number or string");
        } catch (JsonProcessingException e) {
            if (e.getLocation() == null) return Line.failed(n, "line " + n + ": not valid JSON");
            return Line.failed(n, "line " + n + ", column " + e.getLocation().getColumnNr() + ": not valid JSON"
                    + found(text, e.getLocation().getColumnNr()));
        } catch (IOException e) {
            return Line.failed(n, "line " + n + ": cannot read (" + e.getMessage() + ")");
        }
        String image = string(j, "image");
        String prompt = string(j, "prompt");
        String bad = image == null ? missingOrWrong(j, "image") : prompt == null ? missingOrWrong(j, "prompt") : null;
        if (bad != null) return Line.failed(n, "line " + n + ": " + bad);
        Path img;
        try {
            img = Path.of(image);
        } catch (java.nio.file.InvalidPathException e) {
            return Line.failed(n, "line " + n + ": \"image\" is not a valid path (" + e.getReason() + ")");
        }
        if (!img.isAbsolute()) img = dir.resolve(img);
        return new Line(n, img, prompt, null);
    }

    private static String string(JsonNode j, String key) {
        JsonNode v = j.get(key);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static String missingOrWrong(JsonNode j, String key) {
        JsonNode v = j.get(key);
        if (v == null) return "missing \"" + key + "\" (expected {\"image\": \"...\", \"prompt\": \"...\"})";
        String what = v.isNull() ? "null" : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean"
                : v.isArray() ? "an array" : v.isObject() ? "an object" : v.getNodeType().toString().toLowerCase();
        return "\"" + key + "\" must be a string, found " + what + (v.isValueNode() && !v.isNull() ? " (" + v + ")" : "");
    }

    private static String describe(JsonToken t, JsonParser p) throws IOException {
        if (t == null) return "nothing";
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> p.getText();
        };
    }

    /** {@code " at 'x'"} for the character at 1-based {@code column}, if there is one. */
    private static String found(String text, int column) {
        if (column < 1 || column > text.length()) return "";
        int cp = text.codePointAt(column - 1);
        return cp < 0x20 ? String.format(" (unexpected character U+%04X)", cp) : " (unexpected '" + Character.toString(cp) + "')";
    }
}
