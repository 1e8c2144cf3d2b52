package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paligemma generate} end to end on the tiny checkpoint: output contract and bad input. */
class GenerateCommandTest {
    static final Path RES = Path.of("..", "model", "src", "test", "resources");
    static final String CKPT = RES.resolve("tiny/tiny-224.npz").toString();
    static final String TOK = RES.resolve("tokenizer/tiny.model").toString();
    static final String IMG = RES.resolve("image/inputs/jpeg420_q85_prog_opt_150x230.jpg").toString();

    record Result(int code, String out, String err) {}

    static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonHasTheContractedFieldsAndTokensMatchTheText() throws Exception {
        Result r = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG,
                "--prompt", "caption en", "--max-tokens", "6", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(r.out());
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).startsWith("prompt", "tokens", "text", "timings_ms", "tokens_per_second");
        assertThat(j.get("prompt").asText()).isEqualTo("caption en");
        assertThat(j.get("tokens").size()).isBetween(0, 6);
        for (JsonNode id : j.get("tokens")) assertThat(id.asInt()).isNotEqualTo(1);   // no <eos>
        List<String> timings = new ArrayList<>();
        j.get("timings_ms").fieldNames().forEachRemaining(timings::add);
        assertThat(timings).contains("load", "vision", "prefill", "decode");
        // 256 image tokens + <bos> "caption en" "\n"
        assertThat(j.get("prefix_tokens").asInt()).isEqualTo(256 + 1 + 7 + 1);
        // plain mode prints exactly the same text
        Result plain = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG,
                "--prompt", "caption en", "--max-tokens", "6");
        assertThat(plain.out()).isEqualTo(j.get("text").asText() + System.lineSeparator());
    }

    @Test
    void beamAndF32CacheRun() throws Exception {
        Result r = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG,
                "--prompt", "detect cat", "--max-tokens", "5", "--beam", "2", "--kv-cache", "f32",
                "--resize", "bilinear-antialias", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("tokens").size()).isLessThanOrEqualTo(4); // beam: ≤ max−1
    }

    @Test
    void batchWritesOneLinePerRequest(@TempDir Path dir) throws Exception {
        Files.copy(Path.of(IMG), dir.resolve("a.jpg"));
        Files.writeString(dir.resolve("b.jsonl"), "{\"image\":\"a.jpg\",\"prompt\":\"caption en\"}\n\n"
                + "{\"image\":\"" + Path.of(IMG).toAbsolutePath() + "\",\"prompt\":\"answer en what?\"}\n");
        Result r = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--batch",
                dir.resolve("b.jsonl").toString(), "--max-tokens", "3");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(new ObjectMapper().readTree(lines.get(1)).get("prompt").asText()).isEqualTo("answer en what?");
    }

    @Test
    void badInputGivesOneLineErrors(@TempDir Path dir) throws Exception {
        Path notImage = Files.writeString(dir.resolve("x.jpg"), "hello");
        Result r = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", notImage.toString(),
                "--prompt", "caption en");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("x.jpg");

        r = run("generate", "--checkpoint", dir.resolve("missing.npz").toString(), "--tokenizer", TOK,
                "--image", IMG, "--prompt", "p");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).isEqualTo("paligemma generate: --checkpoint: no such file: "
                + dir.resolve("missing.npz"));

        r = run("generate", "--checkpoint", CKPT, "--tokenizer", RES.resolve("tokenizer/wide.model").toString(),
                "--image", IMG, "--prompt", "p");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("5156 pieces", "vocabulary of 2176");

        r = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG,
                "--prompt", "word ".repeat(600), "--max-tokens", "8");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("exceeds --max-text-len 512");

        Path corrupt = Files.write(dir.resolve("t.model"), new byte[] {1, 2, 3});
        r = run("generate", "--checkpoint", CKPT, "--tokenizer", corrupt.toString(), "--image", IMG, "--prompt", "p");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("t.model");

        r = run("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG, "--prompt", "p",
                "--kv-cache", "f16");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("paligemma generate: --kv-cache must be one of bf16|f32, got 'f16'");
    }
}
