package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code paligemma inspect} on the loader's committed fixtures: the JSON object, the table, bad input. */
class InspectCommandTest {
    private static final Path TINY = Path.of("..", "checkpoint-loader", "src", "test", "resources", "tiny");

    private record Result(int code, String out, String err) {}

    private static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonIsExactlyOneObjectWithTheSpecifiedFields() throws Exception {
        String file = TINY.resolve("tiny-bf16.npz").toString();
        Result r = run("inspect", file, "--json");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(r.out());
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("file", "format", "model", "config", "settings", "params", "tensors");
        assertThat(j.get("model").asText()).isEqualTo("PaliGemma (custom Gemma decoder), 28 px");
        assertThat(j.get("settings").toString()).isEqualTo("{\"final_logit_softcap\":0.0,\"attn_logit_softcap\":0.0,"
                + "\"query_scale\":\"head-dim\",\"sliding_window\":0}");
        assertThat(j.get("file").asText()).isEqualTo(file);
        assertThat(j.get("format").asText()).isEqualTo("npz");
        assertThat(j.get("config").toString()).isEqualTo("{\"resolution\":28,\"patch\":14,"
                + "\"vision\":{\"width\":32,\"depth\":2,\"mlp\":48,\"heads\":2},"
                + "\"llm\":{\"vocab\":300,\"width\":32,\"depth\":2,\"heads\":2,\"kv_heads\":1,\"head_dim\":16,\"mlp\":64,"
                + "\"family\":\"Gemma\"}}");
        assertThat(j.get("params").asLong()).isEqualTo(63_296L);
        assertThat(j.get("tensors")).hasSize(32);
        assertThat(j.get("tensors").get(0).toString()).isEqualTo(
                "{\"key\":\"img/embedding/kernel\",\"shape\":[14,14,3,32],\"dtype\":\"bfloat16\",\"bytes\":37632}");
        assertThat(j.get("tensors").get(31).toString()).isEqualTo(
                "{\"key\":\"llm/final_norm/scale\",\"shape\":[32],\"dtype\":\"bfloat16\",\"bytes\":64}");
    }

    @Test
    void msgpackJsonSaysItsFormat() throws Exception {
        Result r = run("inspect", TINY.resolve("tiny-f32.msgpack").toString(), "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("format").asText()).isEqualTo("msgpack");
        assertThat(j.get("tensors").get(23).get("key").asText()).isEqualTo("llm/embedder/input_embedding");
        assertThat(j.get("tensors").get(23).get("dtype").asText()).isEqualTo("float32");
    }

    @Test
    void tableListsConfigParamsAndEveryTensor() {
        Result r = run("inspect", TINY.resolve("tiny-f32.npz").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("format   npz, 32 tensors, 253,184 bytes of tensor data")
                .contains("vision   resolution 28, patch 14 (4 image tokens), width 32, depth 2, mlp 48, heads 2 x 16")
                .contains("model    PaliGemma (custom Gemma decoder), 28 px")
                .contains("settings final logit soft-cap off, attention logit soft-cap off, query scale head-dim, sliding window off")
                .contains("llm      Gemma: vocab 300, width 32, depth 2, heads 2, kv_heads 1, head_dim 16, mlp 64")
                .contains("params   63,296");
        assertThat(r.out().lines().filter(l -> l.startsWith("llm/layers/mlp/gating_einsum"))
                .findFirst().orElseThrow()).matches("llm/layers/mlp/gating_einsum +\\[2, 2, 32, 64\\] +float32 +32,768");
        assertThat(r.out().lines().count()).isEqualTo(8 + 1 + 32);
    }

    @Test
    void aFileOfNoKnownLayoutSaysWhatItFound() {
        String file = ParityCommandTest.PAR.resolve("gemma2").resolve("tokens-g2-448-wph.npz").toString();
        Result r = run("inspect", file);
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("paligemma inspect: " + file + ": not a valid PaliGemma")
                .contains("Found 35 tensors, llm/embedder/input_embedding absent")
                .contains("known layouts: PaliGemma (Gemma decoder, 32 tensors) and PaliGemma 2 (Gemma 2 decoder: also "
                        + "llm/layers/post_attention_norm/scale and llm/layers/post_ffw_norm/scale)");
    }

    @Test
    void gemma2CheckpointsAreNamedWithTheirSettings() {
        Result r = run("inspect", ParityCommandTest.PAR.resolve("gemma2").resolve("g2-224-bf16.npz").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("model    PaliGemma 2 (custom Gemma 2 decoder), 224 px")
                .contains("format   npz, 34 tensors")
                .contains("llm      Gemma 2: vocab 2176, width 32, depth 2, heads 4, kv_heads 2, head_dim 16, mlp 64")
                .contains("settings final logit soft-cap 30, attention logit soft-cap 50, query scale head-dim, "
                        + "sliding window off")
                .contains("llm/layers/post_ffw_norm/scale");
    }

    @Test
    void badInputIsOneLineAndNonZeroExit() {
        String file = TINY.resolve("corrupt/wrong-shape.npz").toString();
        Result r = run("inspect", file, "--json");
        assertThat(r.code()).isNotZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("paligemma inspect: " + file + ": ")
                .contains("llm/layers/mlp/linear: expected shape [2, 64, 32], found [2, 64, 31]");
        for (String name : new String[] {"truncated.npz", "bad-central-directory.npz", "not-npy-member.npz",
                "unknown-dtype.npz", "missing-key.npz", "not-a-zip.npz", "fortran-order.npz", "big-endian.npz"}) {
            Result bad = run("inspect", TINY.resolve("corrupt/" + name).toString());
            assertThat(bad.code()).as(name).isNotZero();
            assertThat(bad.err().strip()).as(name).doesNotContain("\n").contains(name);
        }
        Result missing = run("inspect", "no-such-file.npz");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file: no-such-file.npz");
    }
}
