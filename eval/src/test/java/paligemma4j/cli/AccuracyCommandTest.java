package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code accuracy} on the tiny checkpoint: Q8_0 and bf16 against f32, values as Q8AccuracyTest bounds them. */
class AccuracyCommandTest {

    static final String CKPT = GenerateCommandTest.CKPT;

    @Test
    void q8AgainstF32() throws Exception {
        GenerateCommandTest.Result r = GenerateCommandTest.run("accuracy", "--checkpoint", CKPT, "--new-tokens", "4",
                "--threads", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("weights").asText()).isEqualTo("q8");
        assertThat(j.get("reference").asText()).isEqualTo("f32");
        // Q8_0 moves the logits by a few % of their span, never by nothing (that would mean no conversion)
        assertThat(j.get("max_abs_logit_diff").asDouble()).isGreaterThan(1e-3)
                .isLessThan(0.05 * j.get("max_abs_logit").asDouble());
        assertThat(j.get("greedy_tokens_equal").asInt()).isBetween(1, 4);
        assertThat(j.get("tokens")).hasSize(4);
    }

    @Test
    void sameWeightsAgreeExactly() throws Exception {
        GenerateCommandTest.Result r = GenerateCommandTest.run("accuracy", "--checkpoint", CKPT, "--weights", "stored",
                "--reference", "f32", "--new-tokens", "3", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("max_abs_logit_diff").asDouble()).isZero();   // tiny-224 is stored f32
        assertThat(j.get("greedy_tokens_equal").asInt()).isEqualTo(3);
    }
}
