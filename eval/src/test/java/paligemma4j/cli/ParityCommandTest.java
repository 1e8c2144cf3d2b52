package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@code paligemma parity} against committed big_vision dumps (scripts/parity/bigvision_dump.py on a
 * bf16 checkpoint initialised by big_vision's own code, scripts/parity/make_bv_checkpoint.py): every
 * stage passes and the bf16-KV greedy and beam-2 tokens are identical; a checkpoint with one weight
 * tensor of one layer changed by 3 % fails and names the first stage that drifted.
 */
class ParityCommandTest {
    static final Path PAR = Path.of("src", "test", "resources", "parity");
    static final String TOK = Path.of("..", "model", "src", "test", "resources", "tokenizer", "tiny.model").toString();

    static JsonNode parity(String checkpoint, String dump, String prompt, int expectedExit) throws Exception {
        GenerateCommandTest.Result r = GenerateCommandTest.run("parity", "--checkpoint",
                PAR.resolve(checkpoint).toString(), "--tokenizer", TOK, "--image", PAR.resolve("test.png").toString(),
                "--prompt", prompt, "--reference", PAR.resolve(dump).toString(), "--json");
        assertThat(r.code()).as(r.err()).isEqualTo(expectedExit);
        return new ObjectMapper().readTree(r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dump-caption-en.npz|caption en",
            "dump-detect-cat-dog.npz|detect cat ; dog",
            "dump-segment-cat-dog.npz|segment cat ; dog"})
    void everyStageAndTheTokensMatchBigVision(String dump, String prompt) throws Exception {
        JsonNode j = parity("bv-tiny-bf16.npz", dump, prompt, 0);
        assertThat(j.get("pass").asBoolean()).isTrue();
        assertThat(j.get("stages")).hasSize(1 + 1 + 2 + 1 + 1 + 1 + 2 + 1 + 1);  // 2 ViT blocks, 2 Gemma layers
        for (JsonNode s : j.get("stages")) {
            assertThat(s.get("max_rel").asDouble()).as(s.get("name").asText()).isLessThanOrEqualTo(1e-5);
        }
        assertThat(j.get("tokens")).hasSize(2);
        for (JsonNode t : j.get("tokens")) assertThat(t.get("equal").asBoolean()).as(t.get("name").asText()).isTrue();
    }

    @Test
    void aThreePercentChangeInOneLayerIsCaughtAtThatLayer() throws Exception {
        JsonNode j = parity("bv-tiny-bf16-perturbed.npz", "dump-caption-en.npz", "caption en", 1);
        assertThat(j.get("pass").asBoolean()).isFalse();
        assertThat(j.get("first_failure").asText()).isEqualTo("llm/layer_1");
        for (JsonNode s : j.get("stages")) {
            if (s.get("name").asText().equals("llm/layer_1")) break;
            assertThat(s.get("pass").asBoolean()).as(s.get("name").asText()).isTrue();
        }
    }

    @Test
    void tableModeNamesTheFirstDriftingStage() {
        GenerateCommandTest.Result r = GenerateCommandTest.run("parity", "--checkpoint",
                PAR.resolve("bv-tiny-bf16-perturbed.npz").toString(), "--tokenizer", TOK,
                "--image", PAR.resolve("test.png").toString(), "--prompt", "caption en",
                "--reference", PAR.resolve("dump-caption-en.npz").toString(), "--stop-at-first-failure");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("llm/layer_0", "PASS", "llm/layer_1").doesNotContain("llm/final_norm");
        assertThat(r.out().strip().lines().reduce((a, b) -> b).orElseThrow())
                .isEqualTo("FAIL: first drifting stage llm/layer_1");
    }
}
