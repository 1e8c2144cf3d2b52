package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzz target for the {@code generate --batch} reader: any bytes give one entry per non-blank line, each a
 * request or an error naming its line, or (no request at all) a {@link UsageException}.
 */
class BatchFuzzTest {
    private static final Path FILE = Path.of("/fuzz/batch.jsonl");

    @FuzzTest(maxDuration = "10m")
    void batch(byte[] bytes) {
        java.util.List<BatchFile.Line> lines;
        try {
            lines = BatchFile.parse(FILE, bytes);
        } catch (UsageException e) {
            assertThat(e.getMessage()).startsWith("--batch: " + FILE + " ").doesNotContain("\n");
            return;
        }
        int previous = 0;
        for (BatchFile.Line l : lines) {
            assertThat(l.number()).isGreaterThan(previous);
            previous = l.number();
            if (l.error() == null) {
                assertThat(l.image()).isNotNull();
                assertThat(l.prompt()).isNotNull();
            } else {
                assertThat(l.error()).startsWith("line " + l.number()).doesNotContain("\n");
            }
        }
    }
}
