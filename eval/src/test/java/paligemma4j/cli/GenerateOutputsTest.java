package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate}'s objects, {@code --out} files and sampling options on the tiny checkpoint. */
class GenerateOutputsTest {
    static final String CKPT = GenerateCommandTest.CKPT, TOK = GenerateCommandTest.TOK, IMG = GenerateCommandTest.IMG;

    static JsonNode generate(String... extra) throws Exception {
        String[] base = {"generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG, "--max-tokens", "8", "--json"};
        String[] argv = new String[base.length + extra.length];
        System.arraycopy(base, 0, argv, 0, base.length);
        System.arraycopy(extra, 0, argv, base.length, extra.length);
        var r = GenerateCommandTest.run(argv);
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void jsonCarriesObjectsAndOutWritesTheFiles(@TempDir Path dir) throws Exception {
        JsonNode j = generate("--prompt", "detect cat", "--out", dir.toString());
        assertThat(j.get("objects").isArray()).isTrue();
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("objects.json").toFile());
        assertThat(doc.get("text").asText()).isEqualTo(j.get("text").asText());
        assertThat(doc.get("prompt").asText()).isEqualTo("detect cat");
        assertThat(doc.get("objects")).isEqualTo(j.get("objects"));
        assertThat(doc.get("width").asInt()).isEqualTo(230);
        assertThat(doc.get("height").asInt()).isEqualTo(150);
        assertThat(Files.exists(dir.resolve("overlay.png"))).isTrue();
    }

    @Test
    void zeroTemperatureIsGreedyAndASeedRepeats() throws Exception {
        JsonNode greedy = generate("--prompt", "caption en");
        JsonNode t0 = generate("--prompt", "caption en", "--temperature", "0", "--seed", "5");
        assertThat(t0.get("tokens")).isEqualTo(greedy.get("tokens"));
        JsonNode a = generate("--prompt", "caption en", "--temperature", "1.5", "--seed", "11");
        JsonNode b = generate("--prompt", "caption en", "--temperature", "1.5", "--seed", "11");
        assertThat(a.get("tokens")).isEqualTo(b.get("tokens"));
        assertThat(a.get("seed").asLong()).isEqualTo(11);
        Set<String> seen = new HashSet<>();
        for (int seed = 0; seed < 4; seed++) {
            seen.add(generate("--prompt", "caption en", "--temperature", "1.5", "--seed", String.valueOf(seed))
                    .get("tokens").toString());
        }
        assertThat(seen).as("different seeds draw different tokens").hasSizeGreaterThan(1);
        JsonNode k1 = generate("--prompt", "caption en", "--temperature", "1.5", "--top-k", "1", "--seed", "3");
        assertThat(k1.get("tokens")).as("top-k 1 is argmax").isEqualTo(greedy.get("tokens"));
    }

    @Test
    void badSamplingOptionsAreOneLine() {
        var beam = GenerateCommandTest.run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG,
                "--prompt", "p", "--beam", "2", "--temperature", "0.7");
        assertThat(beam.code()).isEqualTo(2);
        assertThat(beam.err().strip()).isEqualTo("paligemma generate: --beam 2 and --temperature > 0 exclude each other");
        var p = GenerateCommandTest.run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG,
                "--prompt", "p", "--top-p", "1.5");
        assertThat(p.err().strip()).isEqualTo("paligemma generate: --top-p must be in (0, 1], got 1.5");
    }
}
