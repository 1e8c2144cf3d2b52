package paligemma4j.checkpoint.paligemma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.CheckpointException;

/** config.json keys left out take transformers' defaults; transformers 4 and 5 names both read. */
class HfConfigTest {
    static HfConfig parse(String json) throws Exception {
        return HfConfig.parse(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void missingSubConfigsArePaliGemmaDefaults() throws Exception {
        assertThat(parse("{}")).isEqualTo(new HfConfig(16, 14, 1e-6f, "gemma", 8, 1, 256, 1e-6f, 10_000f, 256_000));
        assertThat(parse("{}")).isEqualTo(HfConfig.DEFAULTS);
    }

    @Test
    void missingKeysAreTheConfigClassesDefaults() throws Exception {
        HfConfig c = parse("{\"image_token_index\": 257152, \"vision_config\": {\"hidden_size\": 1152},"
                + " \"text_config\": {\"num_attention_heads\": 8, \"num_key_value_heads\": 1}}");
        assertThat(c).isEqualTo(new HfConfig(12, 16, 1e-6f, "gemma", 8, 1, 256, 1e-6f, 10_000f, 257_152));
    }

    @Test
    void transformers5Names() throws Exception {
        HfConfig c = parse("{\"image_token_id\": 2176, \"vision_config\": {\"num_attention_heads\": 3, \"patch_size\": 8},"
                + " \"text_config\": {\"head_dim\": 16, \"rope_parameters\": {\"rope_theta\": 5000.0, \"rope_type\": \"default\"}}}");
        assertThat(c.imageTokenId()).isEqualTo(2176);
        assertThat(c.ropeTheta()).isEqualTo(5000f);
        assertThat(c.visionHeads()).isEqualTo(3);
        assertThat(c.headDim()).isEqualTo(16);
    }

    @Test
    void gemma2KeysLeftOutAreGemma2ConfigsDefaults() throws Exception {
        HfConfig c = parse("{\"text_config\": {\"model_type\": \"gemma2\", \"hidden_size\": 2304}}");
        assertThat(c).isEqualTo(new HfConfig(16, 14, 1e-6f, "gemma2", 8, 4, 256, 1e-6f, 10_000f, 256_000, 50f, 30f, 256));
        assertThat(c.gemma2()).isTrue();
    }

    @Test
    void gemma2SoftCapsWrittenAsNullAreOff() throws Exception {
        HfConfig c = parse("{\"text_config\": {\"model_type\": \"gemma2\", \"attn_logit_softcapping\": null,"
                + " \"final_logit_softcapping\": 15.0, \"query_pre_attn_scalar\": 144}}");
        assertThat(c.attnSoftCap()).isZero();
        assertThat(c.finalSoftCap()).isEqualTo(15f);
        assertThat(c.queryPreAttnScalar()).isEqualTo(144);
    }

    @Test
    void gemma1HasNoSoftCaps() throws Exception {
        HfConfig c = parse("{\"text_config\": {\"final_logit_softcapping\": 30.0}}");
        assertThat(c.finalSoftCap()).isZero();
        assertThat(c.attnSoftCap()).isZero();
        assertThat(c.queryPreAttnScalar()).isZero();
    }

    @Test
    void negativeSoftCapIsOneLineError() {
        assertThatThrownBy(() -> parse("{\"text_config\": {\"model_type\": \"gemma2\", \"attn_logit_softcapping\": -1}}"))
                .isExactlyInstanceOf(CheckpointException.class)
                .hasMessage("config.json: text_config.attn_logit_softcapping is -1, expected a number ≥ 0 or null");
    }

    @Test
    void nonNumberIsOneLineError() {
        assertThatThrownBy(() -> parse("{\"text_config\": {\"head_dim\": \"big\"}}"))
                .isExactlyInstanceOf(CheckpointException.class)
                .hasMessage("config.json: text_config.head_dim is \"big\", expected a number");
    }
}
