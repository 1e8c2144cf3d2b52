package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.SafetensorsWriter;
import paligemma4j.checkpoint.Tensor;

/**
 * {@code generate} on the Hugging Face fixtures (model/src/test/resources/hf, made by transformers' converter) gives
 * the tokens it gives on their npz, with the tokenizer found in the directory.
 */
class HfGenerateTest {
    static final Path RES = GenerateCommandTest.RES;
    static final String BV_BF16 = Path.of("src", "test", "resources", "parity", "bv-tiny-bf16.npz").toString();
    static final String G2_BF16 = Path.of("src", "test", "resources", "parity", "gemma2", "g2-224-bf16.npz").toString();

    static JsonNode generate(String checkpoint, String... extra) throws Exception {
        List<String> argv = new ArrayList<>(List.of("generate", "--checkpoint", checkpoint, "--image", GenerateCommandTest.IMG,
                "--prompt", "caption en", "--max-tokens", "8", "--json"));
        argv.addAll(List.of(extra));
        GenerateCommandTest.Result r = GenerateCommandTest.run(argv.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @ParameterizedTest
    @CsvSource({"hf/tiny-224-hub, tiny/tiny-224.npz", "hf/tiny-224-hub/model.safetensors, tiny/tiny-224.npz",
            "hf/bv-tiny-bf16-t5, BV", "hf/bv-tiny-bf16-native, BV", "hf/g2-224-bf16-hub, G2", "hf/g2-224-bf16-t5, G2"})
    void sameTokensAsTheNpz(String hf, String npz) throws Exception {
        String reference = switch (npz) {
            case "BV" -> BV_BF16;
            case "G2" -> G2_BF16;
            default -> RES.resolve(npz).toString();
        };
        JsonNode expected = generate(reference, "--tokenizer", GenerateCommandTest.TOK);
        JsonNode actual = generate(RES.resolve(hf).toString());
        assertThat(expected.get("tokens").size()).isPositive();
        assertThat(actual.get("tokens")).isEqualTo(expected.get("tokens"));
        assertThat(actual.get("text")).isEqualTo(expected.get("text"));
    }

    /**
     * Padded embedding rows past {@code <image>} made to win every step if they were logits (± 1000 × the row of each
     * token the model answers): the answer is unchanged and every id stays inside the tokenizer.
     */
    @Test
    void paddedRowsNeverWin(@TempDir Path dir) throws Exception {
        JsonNode expected = generate(RES.resolve("tiny/tiny-224.npz").toString(), "--tokenizer", GenerateCommandTest.TOK);
        Path src = RES.resolve("hf/tiny-224-hub");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        String embed = "language_model.model.embed_tokens.weight";
        try (Checkpoint c = Checkpoint.open(src)) {
            Tensor e = c.get(embed);
            int rows = (int) e.dim(0), d = (int) e.dim(1), vocab = 2176, next = vocab;
            float[] table = e.toFloatArray();
            for (JsonNode id : expected.get("tokens")) {
                for (float sign : new float[] {1000f, -1000f}) {
                    for (int j = 0; j < d; j++) table[next * d + j] = sign * table[id.asInt() * d + j];
                    next++;
                }
            }
            assertThat(next).isLessThanOrEqualTo(rows);
            List<SafetensorsWriter.Spec> specs = c.tensors().values().stream()
                    .map(t -> new SafetensorsWriter.Spec(t.key(), t.dtype(), t.shape())).toList();
            try (var w = SafetensorsWriter.create(dir.resolve("model.safetensors"), specs, Map.of("format", "pt"))) {
                for (var s : specs) w.write(s.name(), s.name().equals(embed) ? MemorySegment.ofArray(table) : c.get(s.name()).data());
            }
        }
        JsonNode actual = generate(dir.toString());
        assertThat(actual.get("tokens")).isEqualTo(expected.get("tokens"));
        for (JsonNode id : actual.get("tokens")) assertThat(id.asInt()).isLessThan(2176);
    }
}
