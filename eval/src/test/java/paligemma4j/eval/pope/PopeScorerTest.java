package paligemma4j.eval.pope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.Fixtures;
import paligemma4j.eval.io.Predictions;

/** POPE loading and scoring against the reference rules restated in scripts/eval/make_fixtures.py. */
class PopeScorerTest {
    static final Path DIR = Fixtures.path("pope");

    @Test
    void loadsJsonLinesQuestionFiles() {
        List<PopeQuestion> qs = PopeDataset.load(DIR, "random");
        assertThat(qs).hasSize(12);
        assertThat(qs.getFirst()).isEqualTo(new PopeQuestion(1, "COCO_val2014_000000310196.jpg",
                "Is there a dog in the image?", "yes", DIR.resolve("val2014/COCO_val2014_000000310196.jpg")));
        assertThat(qs.get(1).text()).isEqualTo("Is there an apple in the image?");
        assertThat(Files.exists(qs.getFirst().imagePath())).isTrue();
    }

    @Test
    void bigVisionRuleIsExactLowerCasedMatch() {
        PopeParser p = PopeParser.BIG_VISION;
        assertThat(p.parse("yes")).isTrue();
        assertThat(p.parse("YES")).isTrue();
        assertThat(p.parse("No")).isFalse();
        assertThat(p.parse("Yes.")).isNull();
        assertThat(p.parse("no,")).isNull();
        assertThat(p.parse("")).isNull();
        assertThat(p.parse("yes ")).isNull();
        assertThat(p.parse(" no")).isNull();
    }

    @Test
    void originalRuleFollowsPopeEvaluatePy() {
        PopeParser p = PopeParser.ORIGINAL;
        assertThat(p.parse("No, there is not.")).isFalse();
        assertThat(p.parse("There is no apple")).isFalse();
        assertThat(p.parse("NO")).isTrue(); // only "No", "no", "not" count
        assertThat(p.parse("")).isTrue();
        assertThat(p.parse("Yes. But no")).isTrue(); // text after the first '.' is dropped
    }

    @Test
    void allSplitsMatchReferenceMetricsForBothParsers() {
        JsonNode expected = Fixtures.json("pope/expected.json");
        for (String split : PopeDataset.SPLITS) {
            List<PopeQuestion> qs = PopeDataset.load(DIR, split);
            Predictions preds = Predictions.read(DIR.resolve("predictions_" + split + ".jsonl"));
            List<String> answers = preds.align(qs.stream().map(PopeQuestion::questionId).toList(), split)
                    .stream().map(x -> x.answer()).toList();
            for (PopeParser parser : PopeParser.values()) {
                JsonNode e = expected.get(split).get(parser == PopeParser.BIG_VISION ? "big_vision" : "original");
                PopeScore s = PopeScorer.score(qs, answers, parser);
                assertThat(s.n()).isEqualTo(e.get("n").asInt());
                assertThat(s.correct()).isEqualTo(e.get("correct").asInt());
                assertThat(100 * s.accuracy()).isCloseTo(e.get("accuracy").asDouble(), within(1e-12));
                assertThat(100 * s.precision()).isCloseTo(e.get("precision").asDouble(), within(1e-12));
                assertThat(100 * s.recall()).isCloseTo(e.get("recall").asDouble(), within(1e-12));
                assertThat(100 * s.f1()).isCloseTo(e.get("f1").asDouble(), within(1e-12));
                assertThat(100 * s.yesRatio()).isCloseTo(e.get("yes_ratio").asDouble(), within(1e-12));
            }
        }
    }

    @Test
    void publishedCountMapsToPercent() {
        // 2640 of 3000 correct is the table's 88.00
        assertThat(100 * new PopeScore(3000, 2640, 0, 0, 1500).accuracy()).isEqualTo(88.0);
    }

    @Test
    void badQuestionFileNamesLine(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("coco_pope_random.json"),
                "{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"q\", \"label\": \"yes\"}\n"
                        + "{\"question_id\": 2, \"image\": \"a.jpg\", \"text\": \"q\", \"label\": \"maybe\"}\n");
        assertThatThrownBy(() -> PopeDataset.load(tmp, "random")).isInstanceOf(EvalException.class)
                .hasMessageContaining("line 2").hasMessageContaining("maybe");
    }
}
