package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Without {@code --tokenizer}, every command that loads a model from a Hugging Face directory uses the directory's
 * tokenizer, and each command's help names the Hugging Face formats.
 */
class HfTokenizerDefaultTest {
    static final String HUB = GenerateCommandTest.RES.resolve("hf/tiny-224-hub").toString();
    static final String BV_T5 = GenerateCommandTest.RES.resolve("hf/bv-tiny-bf16-t5").toString();

    static JsonNode json(GenerateCommandTest.Result r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void benchTokenizesThePromptWithTheDirectorysTokenizer() throws Exception {
        JsonNode j = json(GenerateCommandTest.run("bench", "--checkpoint", HUB, "--new-tokens", "1", "--repeat", "1",
                "--threads", "2", "--json"));
        assertThat(j.get("prompt_ids").asText()).isEqualTo("tokenizer");
        // 256 image tokens + <bos> "caption en" (7 pieces in the tiny tokenizer) "\n"
        assertThat(j.get("prefix_tokens").asInt()).isEqualTo(256 + 1 + 7 + 1);
    }

    @Test
    void accuracyAnswersAsWithTheTokenizerGiven() throws Exception {
        JsonNode implicit = json(GenerateCommandTest.run("accuracy", "--checkpoint", HUB, "--weights", "stored",
                "--new-tokens", "3", "--threads", "2", "--json"));
        JsonNode given = json(GenerateCommandTest.run("accuracy", "--checkpoint", HUB, "--weights", "stored",
                "--tokenizer", GenerateCommandTest.TOK, "--new-tokens", "3", "--threads", "2", "--json"));
        assertThat(implicit.get("tokens")).isEqualTo(given.get("tokens"));
        assertThat(implicit.get("max_abs_logit")).isEqualTo(given.get("max_abs_logit"));
    }

    @Test
    void parityPassesAgainstBigVisionsDump() throws Exception {
        Path par = ParityCommandTest.PAR;
        JsonNode j = json(GenerateCommandTest.run("parity", "--checkpoint", BV_T5, "--image", par.resolve("test.png").toString(),
                "--prompt", "caption en", "--reference", par.resolve("dump-caption-en.npz").toString(), "--json"));
        assertThat(j.get("pass").asBoolean()).isTrue();
        for (JsonNode t : j.get("tokens")) assertThat(t.get("equal").asBoolean()).as(t.get("name").asText()).isTrue();
    }

    @Test
    void evalRecordsTheDirectorysTokenizer(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        EvalScoreCommandTest.Result r = EvalScoreCommandTest.run("eval", "pope", "--data", EvalScoreCommandTest.fx("pope"),
                "--checkpoint", HUB, "--threads", "2", "--limit", "2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.toString()).contains(Path.of(HUB, "tokenizer.model").toString());
    }

    @Test
    void withoutAnyTokenizerEvalSaysWhereItLooked(@TempDir Path tmp) {
        String npz = GenerateCommandTest.RES.resolve("tiny/tiny-224.npz").toString();
        EvalScoreCommandTest.Result r = EvalScoreCommandTest.run("eval", "pope", "--data", EvalScoreCommandTest.fx("pope"),
                "--checkpoint", npz, "--threads", "2", "--limit", "2", "--out", tmp.resolve("run").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception")
                .contains("no --tokenizer given and none of paligemma_tokenizer.model, tokenizer.model, tokenizer.json beside " + npz);
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "eval", "parity", "bench", "accuracy"})
    void helpNamesHuggingFaceDirectories(String command) {
        GenerateCommandTest.Result r = GenerateCommandTest.run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Hugging Face directory or .safetensors");
    }
}
