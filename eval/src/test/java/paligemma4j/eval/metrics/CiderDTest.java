package paligemma4j.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Fixtures;

/**
 * CIDEr-D against pycocoevalcap 1.2 (golden/cider.json.gz from scripts/eval/golden_cider.py): the
 * tokenized lines equal those of pycocoevalcap's PTBTokenizer (its bundled CoreNLP jar) exactly, and
 * per-image and corpus scores agree to 1e-9.
 */
class CiderDTest {
    static final JsonNode GOLDEN = Fixtures.json("golden/cider.json.gz");

    static JsonNode set(String name) {
        for (JsonNode s : GOLDEN.get("sets")) if (s.get("name").asText().equals(name)) return s;
        throw new AssertionError("no golden set " + name);
    }

    @Test
    void specKnownAnswerThreeImages() {
        JsonNode s = set("spec_3_images");
        CiderD.Result r = CiderD.compute(Fixtures.strings(s.get("hyps")), Fixtures.stringLists(s.get("refs")));
        assertThat(r.score()).isCloseTo(3.201911831994471, within(1e-12));
        assertThat(r.perImage()).containsExactly(new double[] {3.7019889154264662, 3.1907736290087687,
            2.7129729515481777}, within(1e-12));
    }

    @Test
    void emptyHypothesisScoresZeroAndLeavesOthersUnchanged() {
        JsonNode s = set("spec_3_images_empty_hyp");
        CiderD.Result r = CiderD.compute(Fixtures.strings(s.get("hyps")), Fixtures.stringLists(s.get("refs")));
        assertThat(r.score()).isCloseTo(2.297587514811745, within(1e-12));
        assertThat(r.perImage()[2]).isEqualTo(0.0);
        assertThat(r.perImage()[0]).isCloseTo(3.7019889154264662, within(1e-12));
    }

    @Test
    void generatedRawCaptionsMatchPycocoevalcap() {
        checkRawSet(set("generated"), 1000);
    }

    @Test
    void specPtbTableMatchesPycocoevalcap() {
        checkRawSet(set("spec_ptb_table"), 11);
    }

    @Test
    void cocoFixtureMatchesPycocoevalcap() {
        checkRawSet(set("coco_fixture_val"), 3);
    }

    @Test
    void mavenJarWasIdenticalToBundledJarOnEveryGoldenStream() {
        for (JsonNode r : GOLDEN.get("maven_vs_bundled_jar")) assertThat(r.get("identical").asBoolean()).isTrue();
    }

    private static void checkRawSet(JsonNode s, int minImages) {
        List<List<String>> refs = Fixtures.stringLists(s.get("refs"));
        List<String> hyps = Fixtures.strings(s.get("hyps"));
        assertThat(refs.size()).isGreaterThanOrEqualTo(minImages);
        List<List<String>> refTok = CaptionTokenizer.tokenize(refs);
        List<String> hypTok = CaptionTokenizer.tokenizeHypotheses(hyps);
        assertThat(refTok).isEqualTo(Fixtures.stringLists(s.get("refs_tokenized")));
        assertThat(hypTok).isEqualTo(Fixtures.strings(s.get("hyps_tokenized")));
        CiderD.Result r = CiderD.compute(hypTok, refTok);
        JsonNode per = s.get("per_image");
        for (int i = 0; i < per.size(); i++) {
            assertThat(r.perImage()[i]).as("image %d", i).isCloseTo(per.get(i).asDouble(), within(1e-9));
        }
        assertThat(r.score()).isCloseTo(s.get("score").asDouble(), within(1e-9));
    }
}
