package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

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
    void q8ForAnInputFirstBackendIsQuantizedInputFirstAndForTheJvmAsStored() {
        float[] v = new float[3 * 40];                 // output-first [out 3, in 40], as Hugging Face stores it
        for (int i = 0; i < v.length; i++) v[i] = (i * 37 % 101 - 50) / 7f;
        Weight hf = Weight.ofOutputFirst(v, 3, 40);
        Weight device = AccuracyCommand.converter("q8").forInputFirst().convert(hf);
        Weight jvm = AccuracyCommand.converter("q8").convert(hf);
        assertThat(device.type()).isEqualTo(WeightType.Q8_0);
        assertThat(device.orientation()).isEqualTo(Weight.Orientation.INPUT_FIRST);
        assertThat(new int[] {device.rows(), device.cols()}).containsExactly(40, 3);
        assertThat(jvm.type()).isEqualTo(WeightType.Q8_0);
        assertThat(jvm.orientation()).isEqualTo(Weight.Orientation.OUTPUT_FIRST);
        assertThat(new int[] {jvm.rows(), jvm.cols()}).containsExactly(3, 40);
        // the same matrix either way, within each quantization's step (largest |w| 50/7: step ≤ 0.057)
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 40; i++) {
                assertThat(device.at(i, o)).isCloseTo(hf.at(i, o), org.assertj.core.data.Offset.offset(0.03f));
                assertThat(jvm.at(i, o)).isCloseTo(hf.at(i, o), org.assertj.core.data.Offset.offset(0.03f));
            }
        }
        assertThat(AccuracyCommand.converter("bf16").forInputFirst().convert(hf).orientation())
                .isEqualTo(Weight.Orientation.OUTPUT_FIRST);
        assertThat(AccuracyCommand.converter("stored").forInputFirst().convert(hf)).isSameAs(hf);
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
