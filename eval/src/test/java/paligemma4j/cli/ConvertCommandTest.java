package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.DType;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;

/** {@code paligemma convert}: npz ↔ Hugging Face round trips are bit-exact, and the converted model answers the same. */
class ConvertCommandTest {
    static final Path RES = GenerateCommandTest.RES;

    static GenerateCommandTest.Result convert(String... argv) {
        String[] all = new String[argv.length + 1];
        all[0] = "convert";
        System.arraycopy(argv, 0, all, 1, argv.length);
        return GenerateCommandTest.run(all);
    }

    /** Every tensor of {@code a} has the same key, dtype, shape and bytes in {@code b}. */
    static void assertSameTensors(Path a, Path b) {
        try (Checkpoint x = Checkpoint.open(a); Checkpoint y = Checkpoint.open(b)) {
            assertThat(y.tensors().keySet()).containsExactlyInAnyOrderElementsOf(x.tensors().keySet());
            for (Tensor t : x.tensors().values()) {
                Tensor u = y.get(t.key());
                assertThat(u.dtype()).as(t.key()).isEqualTo(t.dtype());
                assertThat(u.shape()).as(t.key()).containsExactly(t.shape());
                assertThat(u.data().mismatch(t.data())).as(t.key()).isEqualTo(-1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model/src/test/resources/tiny/tiny-224.npz", "model/src/test/resources/tiny/tiny-448.npz",
            "eval/src/test/resources/parity/bv-tiny-bf16.npz", "eval/src/test/resources/parity/gemma2/g2-224-bf16.npz",
            "eval/src/test/resources/parity/gemma2/g2-448-f32.npz"})
    void npzToHuggingFaceAndBackIsBitExact(String npz, @TempDir Path dir) {
        Path src = Path.of("..").resolve(npz);
        GenerateCommandTest.Result r = convert(src.toString(), dir.resolve("hf").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("[" + "#".repeat(30) + "]").contains("tensors");
        assertThat(dir.resolve("hf/config.json")).exists();
        assertThat(dir.resolve("hf/model.safetensors")).exists();
        r = convert(dir.resolve("hf").toString(), dir.resolve("back.npz").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertSameTensors(src, dir.resolve("back.npz"));
    }

    @Test
    void transformersFixtureToNpzIsTheOriginal(@TempDir Path dir) {
        GenerateCommandTest.Result r = convert(RES.resolve("hf/bv-tiny-bf16-t5").toString(), dir.resolve("x.npz").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertSameTensors(Path.of("src/test/resources/parity/bv-tiny-bf16.npz"), dir.resolve("x.npz"));
    }

    @Test
    void transformersPaliGemma2FixturesToNpzAreTheOriginal(@TempDir Path dir) {
        for (String hf : new String[] {"hf/g2-224-bf16-hub", "hf/g2-224-bf16-t5"}) {
            Path out = dir.resolve(Path.of(hf).getFileName() + ".npz");
            GenerateCommandTest.Result r = convert(RES.resolve(hf).toString(), out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertSameTensors(Path.of(HfGenerateTest.G2_BF16), out);
        }
    }

    /** The PaliGemma 2 config.json: Gemma 2 keys with the size's settings, read back as the same settings. */
    @Test
    void paliGemma2ConfigCarriesItsSettings(@TempDir Path dir) throws Exception {
        assertThat(convert(HfGenerateTest.G2_BF16, dir.resolve("hf").toString()).code()).isZero();
        JsonNode text = new ObjectMapper().readTree(dir.resolve("hf/config.json").toFile()).get("text_config");
        assertThat(text.get("model_type").asText()).isEqualTo("gemma2");
        assertThat(text.get("attn_logit_softcapping").asDouble()).isEqualTo(50.0);
        assertThat(text.get("final_logit_softcapping").asDouble()).isEqualTo(30.0);
        assertThat(text.get("query_pre_attn_scalar").asInt()).isEqualTo(16);
        try (Checkpoint n = Checkpoint.open(Path.of(HfGenerateTest.G2_BF16)); Checkpoint h = Checkpoint.open(dir.resolve("hf"))) {
            assertThat(PaliGemmaWeights.of(h).settings()).isEqualTo(PaliGemmaWeights.of(n).settings());
        }
    }

    @Test
    void convertedPaliGemma2DirectoryAnswersLikeTheNpz(@TempDir Path dir) throws Exception {
        String npz = Path.of("src/test/resources/parity/gemma2/g2-448-f32.npz").toString();
        assertThat(convert(npz, dir.resolve("hf").toString()).code()).isZero();
        Files.copy(Path.of(GenerateCommandTest.TOK), dir.resolve("hf/tokenizer.model"));
        var expected = HfGenerateTest.generate(npz, "--tokenizer", GenerateCommandTest.TOK);
        var actual = HfGenerateTest.generate(dir.resolve("hf").toString());
        assertThat(expected.get("tokens").size()).isPositive();
        assertThat(actual.get("tokens")).isEqualTo(expected.get("tokens"));
    }

    @Test
    void convertedDirectoryAnswersLikeTheNpz(@TempDir Path dir) throws Exception {
        String npz = RES.resolve("tiny/tiny-448.npz").toString();
        assertThat(convert(npz, dir.resolve("hf").toString(), "--to", "safetensors").code()).isZero();
        Files.copy(Path.of(GenerateCommandTest.TOK), dir.resolve("hf/tokenizer.model"));
        var expected = HfGenerateTest.generate(npz, "--tokenizer", GenerateCommandTest.TOK);
        var actual = HfGenerateTest.generate(dir.resolve("hf").toString());
        assertThat(actual.get("tokens")).isEqualTo(expected.get("tokens"));
    }

    @Test
    void bf16RoundsEveryTensorToNearestEven(@TempDir Path dir) {
        Path npz = RES.resolve("tiny/tiny-224.npz");
        assertThat(convert(npz.toString(), dir.resolve("hf").toString(), "--dtype", "bf16").code()).isZero();
        assertThat(convert(dir.resolve("hf").toString(), dir.resolve("b.npz").toString()).code()).isZero();
        try (Checkpoint f = Checkpoint.open(npz); Checkpoint b = Checkpoint.open(dir.resolve("b.npz"))) {
            for (Tensor t : f.tensors().values()) {
                Tensor u = b.get(t.key());
                assertThat(u.dtype()).isEqualTo(DType.BFLOAT16);
                for (long i = 0; i < t.size(); i++) {
                    int bits = Float.floatToRawIntBits(t.getFloat(i));
                    short rne = (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
                    assertThat(u.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2)).as(t.key()).isEqualTo(rne);
                }
            }
        }
    }

    @Test
    void sameFormatIsOneLineError(@TempDir Path dir) {
        GenerateCommandTest.Result r = convert(RES.resolve("tiny/tiny-224.npz").toString(), dir.resolve("x.npz").toString(),
                "--to", "npz");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception")
                .contains("tiny-224.npz: is already in the big_vision layout, expected --to safetensors");
    }

    @Test
    void helpGoesToStdout() {
        GenerateCommandTest.Result r = convert("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("SRC DEST [--to npz|safetensors] [--dtype f32|bf16] [--max-shard-size SIZE]");
    }

    /**
     * tiny-224 (f32, about 560 kB of tensors, the largest the 278 kB embedding) in 100 kB shards: the embedding alone in
     * its file, no other file past 100 kB of tensor bytes, the index naming every tensor once with the total size,
     * and the sharded directory converts back bit-exact.
     */
    @Test
    void maxShardSizeSplitsLikeTransformers(@TempDir Path dir) throws Exception {
        Path npz = RES.resolve("tiny/tiny-224.npz");
        GenerateCommandTest.Result r = convert(npz.toString(), dir.resolve("hf").toString(), "--max-shard-size", "100KB");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dir.resolve("hf/model.safetensors")).doesNotExist();
        JsonNode index = new ObjectMapper().readTree(dir.resolve("hf/model.safetensors.index.json").toFile());
        java.util.Map<String, Long> bytesPerFile = new java.util.TreeMap<>();
        long total = 0;
        try (Checkpoint hf = Checkpoint.open(dir.resolve("hf"))) {
            assertThat(index.get("weight_map").size()).isEqualTo(hf.tensors().size());
            for (Tensor t : hf.tensors().values()) {
                long bytes = t.data().byteSize();
                total += bytes;
                bytesPerFile.merge(index.get("weight_map").get(t.key()).asText(), bytes, Long::sum);
                if (t.key().endsWith("embed_tokens.weight")) {
                    assertThat(bytes).isGreaterThan(100_000);
                }
            }
        }
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(total);
        int n = bytesPerFile.size();
        assertThat(n).isGreaterThan(3);
        for (int i = 1; i <= n; i++) assertThat(bytesPerFile).containsKey(String.format("model-%05d-of-%05d.safetensors", i, n));
        assertThat(bytesPerFile.values().stream().filter(b -> b > 100_000)).hasSize(1);
        assertThat(convert(dir.resolve("hf").toString(), dir.resolve("back.npz").toString()).code()).isZero();
        assertSameTensors(npz, dir.resolve("back.npz"));
    }

    @Test
    void badShardSizeIsOneLineError(@TempDir Path dir) {
        GenerateCommandTest.Result r = convert(RES.resolve("tiny/tiny-224.npz").toString(), dir.resolve("hf").toString(),
                "--max-shard-size", "5 parsecs");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception")
                .contains("--max-shard-size: expected a size such as 5GB, 500MB or 2GiB, got '5 parsecs'");
    }
}
