package paligemma4j.eval.mmvp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Fixtures;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;

/**
 * MMVP CSV loading (quoted fields, CRLF) and pair accuracy against the matcher of
 * docs/eval-protocols.md#mmvp-prompt-and-matching restated in Python.
 */
class MmvpScorerTest {
    static final Path DIR = Fixtures.path("mmvp");

    @Test
    void loadsQuotedCsvRowsAndImagePaths() {
        List<MmvpQuestion> qs = MmvpDataset.load(DIR);
        assertThat(qs).hasSize(8);
        MmvpQuestion q3 = qs.get(2);
        assertThat(q3.index()).isEqualTo(3);
        assertThat(q3.question()).isEqualTo("Is the dog facing left or right, from the camera's perspective?");
        assertThat(q3.options()).isEqualTo("(a) Left (b) Right");
        assertThat(q3.correctAnswer()).isEqualTo("(b)");
        assertThat(q3.optionText("b")).isEqualTo("Right");
        assertThat(qs.get(6).question()).isEqualTo("Is the \"flame\" of the candle lit, or not?");
        assertThat(qs.get(6).optionText("a")).isEqualTo("Lit, burning");
        assertThat(Files.exists(q3.imagePath())).isTrue();
        assertThat(q3.imagePath().getFileName().toString()).isEqualTo("3.jpg");
    }

    @Test
    void pairAccuracyMatchesReference() {
        JsonNode e = Fixtures.json("mmvp/expected.json");
        List<MmvpQuestion> qs = MmvpDataset.load(DIR);
        List<String> answers = Predictions.read(DIR.resolve("predictions.jsonl"))
                .align(qs.stream().map(MmvpQuestion::index).toList(), "MMVP").stream().map(Prediction::answer).toList();
        MmvpScore s = MmvpScorer.score(qs, answers, MmvpMatcher.DEFAULT);
        for (int i = 0; i < qs.size(); i++) {
            assertThat(s.perQuestion()[i]).as("question %d '%s'", i + 1, answers.get(i))
                    .isEqualTo(e.get("per_question").get(i).asBoolean());
        }
        assertThat(100 * s.pairAccuracy()).isCloseTo(e.get("pair_accuracy").asDouble(), within(1e-12));
        assertThat(100 * s.questionAccuracy()).isCloseTo(e.get("question_accuracy").asDouble(), within(1e-12));
        assertThat(s.pairs()).isEqualTo(4);
    }

    @Test
    void matcherRulesCanBeSwitchedOff() {
        MmvpQuestion q = new MmvpQuestion(1, "q", "(a) Open (b) Closed", "(a)", Path.of("1.jpg"));
        assertThat(MmvpMatcher.DEFAULT.isCorrect(q, " Open ")).isTrue();
        assertThat(MmvpMatcher.DEFAULT.isCorrect(q, "(A)")).isTrue();
        assertThat(MmvpMatcher.DEFAULT.isCorrect(q, "(a) open")).isTrue();
        assertThat(MmvpMatcher.DEFAULT.isCorrect(q, "a.")).isFalse();
        assertThat(MmvpMatcher.DEFAULT.isCorrect(q, "closed")).isFalse();
        assertThat(MmvpMatcher.DEFAULT.isCorrect(q, "")).isFalse();
        assertThat(new MmvpMatcher(true, false, false).isCorrect(q, "open")).isFalse();
        assertThat(new MmvpMatcher(true, false, false).isCorrect(q, "(a) open")).isFalse();
        assertThat(100 * new MmvpScore(300, 0, 150, 71, new boolean[0]).pairAccuracy()).isCloseTo(47.333333, within(1e-6));
    }
}
