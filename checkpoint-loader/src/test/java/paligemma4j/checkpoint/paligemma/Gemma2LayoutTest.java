package paligemma4j.checkpoint.paligemma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * PaliGemma 2 recognised from the released shapes alone (keys and shapes as big_vision writes them, no data): the
 * three sizes at 224/448/896 px, their names and big_vision's variant defaults; PaliGemma 1 unchanged.
 */
class Gemma2LayoutTest {

    static PaliGemmaConfig config(int resolution, GemmaConfig llm) {
        return new PaliGemmaConfig(new SiglipConfig(resolution, 14, 1152, 27, 4304, 16, 72), llm);
    }

    @ParameterizedTest(name = "{0}, {1} px")
    @CsvSource({
            "PaliGemma 2 3B,  224, 2304, 26,  9216,  8,  4, 256, head-dim",
            "PaliGemma 2 10B, 448, 3584, 42, 14336, 16,  8, 256, head-dim",
            "PaliGemma 2 28B, 896, 4608, 46, 36864, 32, 16, 128, width-per-head",
    })
    void releasedSizesAreRecognisedFromTheirShapes(String name, int resolution, int width, int depth, int mlp, int heads,
                                                  int kvHeads, int headDim, String queryScale) {
        GemmaConfig llm = new GemmaConfig(257_152, width, depth, heads, kvHeads, headDim, mlp, true);
        Map<String, long[]> shapes = PaliGemmaLayout.expectedShapes(config(resolution, llm));
        assertThat(shapes).hasSize(34).containsKeys(PaliGemmaLayout.POST_ATTENTION_NORM, PaliGemmaLayout.POST_FFW_NORM);
        List<String> problems = new ArrayList<>();
        PaliGemmaConfig c = PaliGemmaLayout.infer(shapes, problems);
        assertThat(problems).isEmpty();
        assertThat(c.llm()).isEqualTo(llm);
        assertThat(PaliGemmaLayout.problems(shapes, c)).isEmpty();
        assertThat(c.name()).isEqualTo(name + ", " + resolution + " px");
        GemmaSettings s = GemmaSettings.defaults(c.llm());
        assertThat(s).isEqualTo(new GemmaSettings(30f, 50f, QueryScale.parse(queryScale), 0));
        float expectedScale = (float) Math.pow(queryScale.equals("head-dim") ? headDim : width / heads, -0.5);
        assertThat(s.queryScale().factor(c.llm())).isEqualTo(expectedScale);
    }

    @Test
    void theTwentySevenBScaleUsesIntegerDivision() {
        GemmaConfig llm = new GemmaConfig(257_152, 4608, 46, 32, 16, 128, 36864, true);
        assertThat(QueryScale.WIDTH_PER_HEAD.factor(llm)).isEqualTo((float) Math.pow(144, -0.5));
        assertThat(QueryScale.HEAD_DIM.factor(llm)).isEqualTo((float) Math.pow(128, -0.5));
    }

    @Test
    void paliGemma1KeepsItsNameAndNoCaps() {
        GemmaConfig llm = new GemmaConfig(257_152, 2048, 18, 8, 1, 256, 16384);
        Map<String, long[]> shapes = PaliGemmaLayout.expectedShapes(config(224, llm));
        PaliGemmaConfig c = PaliGemmaLayout.infer(shapes, new ArrayList<>());
        assertThat(c.llm().postNorms()).isFalse();
        assertThat(c.name()).isEqualTo("PaliGemma 3B, 224 px");
        assertThat(GemmaSettings.defaults(c.llm())).isEqualTo(new GemmaSettings(0f, 0f, QueryScale.HEAD_DIM, 0));
    }

    @Test
    void oneOfTheTwoPostNormsIsReportedAsMissingTheOther() {
        GemmaConfig llm = new GemmaConfig(257_152, 2304, 26, 8, 4, 256, 9216, true);
        Map<String, long[]> shapes = new LinkedHashMap<>(PaliGemmaLayout.expectedShapes(config(224, llm)));
        shapes.remove(PaliGemmaLayout.POST_FFW_NORM);
        PaliGemmaConfig c = PaliGemmaLayout.infer(shapes, new ArrayList<>());
        assertThat(PaliGemmaLayout.problems(shapes, c))
                .containsExactly("missing llm/layers/post_ffw_norm/scale (expected shape [26, 2304])");
    }

    @Test
    void settingsOverridesReplaceOnlyWhatIsGiven() {
        GemmaSettings d = new GemmaSettings(30f, 50f, QueryScale.HEAD_DIM, 0);
        assertThat(new GemmaSettings.Overrides(0f, null, QueryScale.WIDTH_PER_HEAD, 4096).apply(d))
                .isEqualTo(new GemmaSettings(0f, 50f, QueryScale.WIDTH_PER_HEAD, 4096));
        assertThat(GemmaSettings.Overrides.NONE.apply(d)).isEqualTo(d);
    }
}
