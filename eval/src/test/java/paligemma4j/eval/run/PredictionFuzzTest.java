package paligemma4j.eval.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;
import paligemma4j.eval.io.Predictions;

/**
 * Fuzz target for the prediction-file readers: {@code eval score --predictions} ({@link Predictions}) and a
 * resumed run's log ({@link PredictionLog}). Any bytes either read or fail with a one-line
 * {@link EvalException} naming the file.
 */
class PredictionFuzzTest {
    private static final List<EvalExample> EXAMPLES = List.of(
            new EvalExample(0, "p", Path.of("a.jpg")), new EvalExample(1, "p", Path.of("b.jpg")),
            new EvalExample(7, "p", Path.of("c.jpg")));

    @FuzzTest(maxDuration = "10m")
    void predictions(byte[] bytes) throws IOException {
        Path file = Files.createTempFile("fuzz-predictions", ".jsonl");
        try {
            Files.write(file, bytes);
            try {
                Predictions p = Predictions.read(file);
                assertThat(p.byId()).isNotNull();
            } catch (EvalException e) {
                ours(e, file);
            }
            try (PredictionLog log = PredictionLog.open(file, EXAMPLES)) {
                assertThat(log.count()).isBetween(0, EXAMPLES.size());
            } catch (EvalException e) {
                ours(e, file);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void ours(EvalException e, Path file) {
        assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n");
    }
}
