package paligemma4j.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.checkpoint.paligemma.QueryScale;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;

/**
 * The Hugging Face fixtures (made from the tiny npz files by transformers' own converter, scripts/hf) load into the
 * same towers as their npz, element for element: every layout, single file and sharded, f32 and bf16.
 */
class HfCheckpointTest {
    static final Path RES = Path.of("src", "test", "resources");

    @ParameterizedTest
    @CsvSource({
            "hf/tiny-224-hub, tiny/tiny-224.npz",
            "hf/bv-tiny-bf16-t5, ../../../../eval/src/test/resources/parity/bv-tiny-bf16.npz",
            "hf/bv-tiny-bf16-native, ../../../../eval/src/test/resources/parity/bv-tiny-bf16.npz",
            "hf/g2-224-bf16-hub, ../../../../eval/src/test/resources/parity/gemma2/g2-224-bf16.npz",
            "hf/g2-224-bf16-t5, ../../../../eval/src/test/resources/parity/gemma2/g2-224-bf16.npz"})
    void sameTowersAsTheNpz(String hf, String npz) {
        try (Checkpoint h = Checkpoint.open(RES.resolve(hf)); Checkpoint n = Checkpoint.open(RES.resolve(npz))) {
            assertThat(h.format()).isEqualTo("safetensors");
            PaliGemmaWeights a = PaliGemmaWeights.of(h), b = PaliGemmaWeights.of(n);
            assertThat(a.config()).isEqualTo(b.config());
            assertThat(a.settings()).isEqualTo(b.settings());
            assertSameVision(a.vision(), b.vision());
            assertSameDecoder(a.llm(), b.llm());
        }
    }

    /**
     * Every linear weight of both towers is the mapped file's own bytes, output-first as stored (the q, k and v heads
     * consecutive row slices of their tensor): nothing is copied but the conv patch kernel.
     */
    @ParameterizedTest
    @CsvSource({"hf/tiny-224-hub", "hf/g2-224-bf16-t5"})
    void linearWeightsAreTheMappedFile(String hf) {
        try (Checkpoint h = Checkpoint.open(RES.resolve(hf))) {
            PaliGemmaWeights w = PaliGemmaWeights.of(h);
            List<Weight> linear = new java.util.ArrayList<>(w.llm().weights());
            linear.remove(w.llm().embedding());
            linear.addAll(w.vision().weights());
            linear.remove(w.vision().patchKernel());
            for (Weight m : linear) {
                assertThat(m.data().isMapped()).as("mapped").isTrue();
                assertThat(m.outputFirst()).isTrue();
            }
            assertThat(w.llm().embedding().data().isMapped()).isTrue();
            assertThat(w.vision().patchKernel().data().isMapped()).isFalse();
            var block = w.llm().blocks().get(1);
            var q = block.query();
            int headBytes = q[0].rows() * q[0].cols() * q[0].type().bytes;
            for (int h2 = 1; h2 < q.length; h2++) {
                assertThat(q[h2].data().address()).isEqualTo(q[0].data().address() + (long) h2 * headBytes);
            }
            var up = h.tensors().values().stream().filter(t -> t.key().endsWith("layers.1.mlp.up_proj.weight")).findFirst().orElseThrow();
            assertThat(block.up().data().address()).isEqualTo(up.data().address());
            assertThat(block.up().data().byteSize()).isEqualTo(up.data().byteSize());
        }
    }

    @Test
    void singleSafetensorsFileReadsItsConfigBeside() {
        try (Checkpoint h = Checkpoint.open(RES.resolve("hf/tiny-224-hub/model.safetensors"));
             Checkpoint n = Checkpoint.open(RES.resolve("tiny/tiny-224.npz"))) {
            assertThat(PaliGemmaWeights.of(h).config()).isEqualTo(PaliGemmaWeights.of(n).config());
        }
    }

    @Test
    void paddedEmbeddingRowsAreCutAtTheImageToken() {
        try (Checkpoint h = Checkpoint.open(RES.resolve("hf/tiny-224-hub"))) {
            assertThat(h.get("language_model.model.embed_tokens.weight").dim(0)).isEqualTo(2240);
            PaliGemmaWeights w = PaliGemmaWeights.of(h);
            assertThat(w.config().llm().vocab()).isEqualTo(2176);
            assertThat(w.llm().embedding().rows()).isEqualTo(2176);
        }
    }

    @Test
    void missingTensorIsListedInOneLine(@TempDir Path dir) throws Exception {
        Path src = RES.resolve("hf/tiny-224-hub");
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) if (!f.getFileName().toString().endsWith(".safetensors")) Files.copy(f, dir.resolve(f.getFileName()));
        }
        // the fixture minus one tensor
        try (Checkpoint c = Checkpoint.open(src)) {
            var specs = new java.util.ArrayList<paligemma4j.checkpoint.SafetensorsWriter.Spec>();
            for (var t : c.tensors().values()) {
                if (!t.key().endsWith("layers.1.mlp.up_proj.weight")) {
                    specs.add(new paligemma4j.checkpoint.SafetensorsWriter.Spec(t.key(), t.dtype(), t.shape()));
                }
            }
            try (var w = paligemma4j.checkpoint.SafetensorsWriter.create(dir.resolve("model.safetensors"), specs, java.util.Map.of())) {
                for (var s : specs) w.write(s.name(), c.get(s.name()).data());
            }
        }
        assertThatThrownBy(() -> {
            try (Checkpoint c = Checkpoint.open(dir)) {
                PaliGemmaWeights.of(c);
            }
        }).isExactlyInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": not a valid Hugging Face PaliGemma checkpoint, 1 problem: missing "
                        + "text.layers.1.mlp.up_proj.weight (expected shape [64, 32])");
    }

    static final Path G2 = RES.resolve("hf/g2-224-bf16-hub");

    /** The G2 fixture with its config.json's text_config edited by {@code edit}. */
    static Path g2With(Path dir, java.util.function.UnaryOperator<String> edit) throws Exception {
        Files.copy(G2.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), edit.apply(Files.readString(G2.resolve("config.json"))));
        return dir;
    }

    @Test
    void gemma2SettingsComeFromConfigJson(@TempDir Path dir) throws Exception {
        g2With(dir, j -> j.replace("\"final_logit_softcapping\": 30.0", "\"final_logit_softcapping\": null")
                .replace("\"attn_logit_softcapping\": 50.0", "\"attn_logit_softcapping\": 20.0")
                .replace("\"query_pre_attn_scalar\": 16", "\"query_pre_attn_scalar\": 8"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            assertThat(w.settings()).isEqualTo(new GemmaSettings(0f, 20f, QueryScale.WIDTH_PER_HEAD, 0));
            assertThat(w.llm().finalSoftCap()).isZero();
            assertThat(w.llm().attnSoftCap()).isEqualTo(20f);
            assertThat(w.llm().queryScale()).isEqualTo((float) Math.pow(8, -0.5));
            assertThat(PaliGemmaWeights.defaultSettings(c)).isEqualTo(w.settings());
        }
    }

    @Test
    void gemma2SettingsMissingFromConfigJsonTakeGemma2ConfigsDefaults(@TempDir Path dir) throws Exception {
        g2With(dir, j -> j.replace("\"final_logit_softcapping\": 30.0,", "").replace("\"attn_logit_softcapping\": 50.0,", "")
                .replace("\"query_pre_attn_scalar\": 16,", ""));
        try (Checkpoint c = Checkpoint.open(dir)) {
            // Gemma2Config: caps 30 and 50, query_pre_attn_scalar 256, which is neither head_dim 16 nor 32 / 4
            assertThatThrownBy(() -> PaliGemmaWeights.of(c)).isExactlyInstanceOf(CheckpointException.class)
                    .hasMessage(dir + ": not a valid Hugging Face PaliGemma checkpoint, 1 problem: "
                            + "text_config.query_pre_attn_scalar is 256, expected head_dim 16 or hidden_size / num_attention_heads 8");
        }
    }

    @Test
    void gemma1TensorsUnderAGemma2ConfigListTheMissingNorms(@TempDir Path dir) throws Exception {
        Path src = RES.resolve("hf/tiny-224-hub");
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("\"model_type\": \"gemma\"", "\"model_type\": \"gemma2\"")
                .replace("\"num_attention_heads\": 2,\n    \"num_hidden_layers\"", "\"query_pre_attn_scalar\": 24,\n    \"num_attention_heads\": 2,\n    \"num_hidden_layers\""));
        assertThatThrownBy(() -> {
            try (Checkpoint c = Checkpoint.open(dir)) {
                PaliGemmaWeights.of(c);
            }
        }).isExactlyInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": not a valid Hugging Face PaliGemma checkpoint, 4 problems: "
                        + "missing text.layers.0.pre_feedforward_layernorm.weight (expected shape [32]); "
                        + "missing text.layers.0.post_feedforward_layernorm.weight (expected shape [32]); "
                        + "missing text.layers.1.pre_feedforward_layernorm.weight (expected shape [32]); "
                        + "missing text.layers.1.post_feedforward_layernorm.weight (expected shape [32])");
    }

    @Test
    void gemma2TensorsUnderAGemmaConfigAreNamed(@TempDir Path dir) throws Exception {
        g2With(dir, j -> j.replace("\"model_type\": \"gemma2\"", "\"model_type\": \"gemma\""));
        assertThatThrownBy(() -> {
            try (Checkpoint c = Checkpoint.open(dir)) {
                PaliGemmaWeights.of(c);
            }
        }).isExactlyInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(dir + ": not a valid Hugging Face PaliGemma checkpoint, 1 problem: "
                        + "language_model.model.layers.0.post_feedforward_layernorm.weight: a Gemma 2 layer but "
                        + "text_config.model_type is 'gemma', expected gemma2");
    }

    @Test
    void otherTextModelsAreRefused(@TempDir Path dir) throws Exception {
        g2With(dir, j -> j.replace("\"model_type\": \"gemma2\"", "\"model_type\": \"gemma3_text\""));
        assertThatThrownBy(() -> {
            try (Checkpoint c = Checkpoint.open(dir)) {
                PaliGemmaWeights.of(c);
            }
        }).isExactlyInstanceOf(CheckpointException.class)
                .hasMessage(dir + ": not a valid Hugging Face PaliGemma checkpoint, 1 problem: text_config.model_type "
                        + "'gemma3_text' is not supported: expected gemma (PaliGemma) or gemma2 (PaliGemma 2)");
    }

    static void assertSameVision(VitTower a, VitTower b) {
        assertSameWeights(a.weights(), b.weights());
        assertThat(a.positions()).containsExactly(b.positions());
        assertThat(a.patchBias()).containsExactly(b.patchBias());
        assertThat(a.headBias()).containsExactly(b.headBias());
        assertThat(a.normScale()).containsExactly(b.normScale());
        for (int l = 0; l < a.blocks().size(); l++) {
            var x = a.blocks().get(l);
            var y = b.blocks().get(l);
            assertThat(x.queryBias()).containsExactly(y.queryBias());
            assertThat(x.outBias()).containsExactly(y.outBias());
            assertThat(x.ln1Scale()).containsExactly(y.ln1Scale());
            assertThat(x.fc2Bias()).containsExactly(y.fc2Bias());
        }
    }

    static void assertSameDecoder(DecoderTower a, DecoderTower b) {
        assertSameWeights(a.weights(), b.weights());
        assertThat(a.finalNorm()).containsExactly(b.finalNorm());
        assertThat(a.queryScale()).isEqualTo(b.queryScale());
        assertThat(a.attnSoftCap()).isEqualTo(b.attnSoftCap());
        assertThat(a.finalSoftCap()).isEqualTo(b.finalSoftCap());
        assertThat(a.eps()).isEqualTo(b.eps());
        assertThat(a.ropeBase()).isEqualTo(b.ropeBase());
        for (int l = 0; l < a.blocks().size(); l++) {
            assertThat(a.blocks().get(l).attnNorm()).containsExactly(b.blocks().get(l).attnNorm());
            assertThat(a.blocks().get(l).ffwNorm()).containsExactly(b.blocks().get(l).ffwNorm());
            assertThat(a.blocks().get(l).postAttnNorm()).isEqualTo(b.blocks().get(l).postAttnNorm());
            assertThat(a.blocks().get(l).postFfwNorm()).isEqualTo(b.blocks().get(l).postFfwNorm());
        }
    }

    static void assertSameWeights(List<Weight> a, List<Weight> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            Weight x = a.get(i), y = b.get(i);
            assertThat(x.type()).isEqualTo(y.type());
            assertThat(new int[] {x.in(), x.out()}).as("weight %d", i).containsExactly(y.in(), y.out());
            for (int r = 0; r < x.in(); r++) {
                for (int c = 0; c < x.out(); c++) {
                    if (Float.floatToRawIntBits(x.at(r, c)) != Float.floatToRawIntBits(y.at(r, c))) {
                        throw new AssertionError("weight " + i + " differs at (" + r + ", " + c + "): " + x.at(r, c) + " vs " + y.at(r, c));
                    }
                }
            }
        }
    }
}
