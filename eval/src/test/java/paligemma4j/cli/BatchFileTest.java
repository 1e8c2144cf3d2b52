package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each batch line becomes a request or an error in our words naming its line (and column for JSON). */
class BatchFileTest {
    private static final Path FILE = Path.of("/data/b.jsonl");

    private static List<BatchFile.Line> parse(String text) {
        return BatchFile.parse(FILE, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String line) {
        List<BatchFile.Line> lines = parse("{\"image\": \"a.jpg\", \"prompt\": \"p\"}\n" + line + "\n");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).error()).isNull();
        return lines.get(1).error();
    }

    @Test
    void requestsKeepTheirLineNumbersAndResolveImagesBesideTheFile() {
        List<BatchFile.Line> lines = parse("{\"image\": \"a.jpg\", \"prompt\": \"caption en\"}\n\n"
                + "{\"image\": \"/abs/b.png\", \"prompt\": \"ünï\"}\r\n");
        assertThat(lines).extracting(BatchFile.Line::number).containsExactly(1, 3);
        assertThat(lines.get(0).image()).isEqualTo(Path.of("/data/a.jpg"));
        assertThat(lines.get(1).image()).isEqualTo(Path.of("/abs/b.png"));
        assertThat(lines.get(1).prompt()).isEqualTo("ünï");
    }

    @Test
    void anEmptyFileIsAnError() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(UsageException.class)
                .hasMessage("--batch: /data/b.jsonl holds no request: expected one JSON object {\"image\": \"...\", \"prompt\": \"...\"} per line");
        assertThatThrownBy(() -> parse("\n  \n")).hasMessageContaining("holds no request");
    }

    @Test
    void malformedJsonNamesLineAndColumnInOurWords() {
        assertThat(error("{\"image\": \"a.jpg\" \"prompt\": \"p\"}"))
                .isEqualTo("line 2, column 19: not valid JSON (unexpected '\"')");
        assertThat(error("{\"image\": \"a.jpg\", \"prompt\": \"p\"")).isEqualTo("line 2, column 33: the JSON object is not closed");
        assertThat(error("{image: 1}")).isEqualTo("line 2, column 2: not valid JSON (unexpected 'i')");
    }

    /** Found by fuzzing: a parser limit has no location (it was a NullPointerException). */
    @Test
    void deepNestingIsAnErrorOfItsLine() {
        assertThat(error("{\"image\": " + "[".repeat(100))).isEqualTo(
                "line 2: JSON nested more than 64 levels deep or too long a number or string");
    }

    @Test
    void trailingJsonAfterTheObjectIsAnError() {
        assertThat(error("{\"image\": \"a.jpg\", \"prompt\": \"p\"} {\"x\": 1}"))
                .isEqualTo("line 2, column 35: unexpected text after the JSON object (one object per line)");
    }

    @Test
    void fieldsMustBeStrings() {
        assertThat(error("{\"image\": \"a.jpg\", \"prompt\": 42}")).isEqualTo("line 2: \"prompt\" must be a string, found a number (42)");
        assertThat(error("{\"image\": null, \"prompt\": \"p\"}")).isEqualTo("line 2: \"image\" must be a string, found null");
        assertThat(error("{\"prompt\": \"p\"}"))
                .isEqualTo("line 2: missing \"image\" (expected {\"image\": \"...\", \"prompt\": \"...\"})");
        assertThat(error("[1, 2]")).isEqualTo("line 2: expected a JSON object {\"image\": \"...\", \"prompt\": \"...\"}, found an array");
    }

    @Test
    void invalidUtf8NamesTheByteOffset() {
        byte[] b = "{\"image\": \"a.jpg\", \"prompt\": \"p\"}\n{\"image\": \"x\", \"prompt\": \"a\u0000\"}\n".getBytes(StandardCharsets.UTF_8);
        int nul = new String(b, StandardCharsets.UTF_8).indexOf('\u0000');
        b[nul] = (byte) 0xFF;
        assertThat(BatchFile.parse(FILE, b).get(1).error()).isEqualTo("line 2: not valid UTF-8 (byte offset 27 of the line)");
    }
}
