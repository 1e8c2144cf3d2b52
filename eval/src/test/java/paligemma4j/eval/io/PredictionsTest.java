package paligemma4j.eval.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.EvalException;

/** Predictions files: any order, extra fields ignored; missing, duplicate and unknown ids are one-line errors. */
class PredictionsTest {
    @TempDir Path tmp;

    Path write(String text) throws Exception {
        Path p = tmp.resolve("p.jsonl");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void alignsInSplitOrder() throws Exception {
        Predictions p = Predictions.read(write("{\"id\": 2, \"answer\": \"b\", \"tokens\": [1]}\n\n{\"id\": \"1\", \"answer\": \"a\"}\n"));
        assertThat(p.align(List.of(1L, 2L), "s").stream().map(Prediction::answer)).containsExactly("a", "b");
    }

    @Test
    void duplicateIdNamesIdAndLines() throws Exception {
        assertThatThrownBy(() -> Predictions.read(write("{\"id\": 7, \"answer\": \"a\"}\n{\"id\": 7, \"answer\": \"b\"}\n")))
                .isInstanceOf(EvalException.class).hasMessageContaining("duplicate id 7").hasMessageContaining("line 2");
    }

    @Test
    void missingIdIsNamed() throws Exception {
        Predictions p = Predictions.read(write("{\"id\": 1, \"answer\": \"a\"}\n"));
        assertThatThrownBy(() -> p.align(List.of(1L, 5L), "POPE random")).isInstanceOf(EvalException.class)
                .hasMessageContaining("no prediction for id 5 of POPE random");
    }

    @Test
    void unknownIdIsNamed() throws Exception {
        Predictions p = Predictions.read(write("{\"id\": 1, \"answer\": \"a\"}\n{\"id\": 99, \"answer\": \"a\"}\n"));
        assertThatThrownBy(() -> p.align(List.of(1L), "MMVP")).isInstanceOf(EvalException.class)
                .hasMessageContaining("id 99 is not in MMVP");
    }

    @Test
    void badLinesAreNamed() throws Exception {
        assertThatThrownBy(() -> Predictions.read(write("{\"id\": 1}\n"))).hasMessageContaining("line 1")
                .hasMessageContaining("\"answer\"");
        assertThatThrownBy(() -> Predictions.read(write("{\"id\": 1.5, \"answer\": \"x\"}\n")))
                .hasMessageContaining("\"id\" must be an integer");
        assertThatThrownBy(() -> Predictions.read(write("not json\n"))).hasMessageContaining("line 1");
    }
}
