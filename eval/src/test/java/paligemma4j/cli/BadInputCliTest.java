package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases of bad input a new user meets, each with its exact behaviour: one line naming the file (or
 * line, or step), a non-zero exit, and never a wrong answer.
 */
class BadInputCliTest {
    static final String CKPT = GenerateCommandTest.CKPT;
    static final String TOK = GenerateCommandTest.TOK;
    static final String IMG = GenerateCommandTest.IMG;

    @TempDir
    static Path dir;
    static Path nanCkpt;
    static Path nanNormCkpt;

    @BeforeAll
    static void nanCheckpoints() throws Exception {
        nanCkpt = dir.resolve("nan.npz");
        Files.write(nanCkpt, withNaN(Files.readAllBytes(Path.of(CKPT)), "params/img/head/kernel.npy"));
        nanNormCkpt = dir.resolve("nan-norm.npz");
        Files.write(nanNormCkpt, withNaN(Files.readAllBytes(Path.of(CKPT)), "params/llm/final_norm/scale.npy"));
    }

    /** A copy of an .npz whose STORED float32 member {@code member} holds NaN everywhere (STORED members carry no checked CRC). */
    static byte[] withNaN(byte[] npz, String member) {
        byte[] name = member.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(npz, name) - 30;   // the first occurrence is the local header's name
        ByteBuffer b = ByteBuffer.wrap(npz).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(at)).isEqualTo(0x04034B50);
        int data = at + 30 + (b.getShort(at + 26) & 0xFFFF) + (b.getShort(at + 28) & 0xFFFF);
        int headerLen = b.getShort(data + 8) & 0xFFFF;
        String header = new String(npz, data + 10, headerLen, StandardCharsets.ISO_8859_1);
        var shape = java.util.regex.Pattern.compile("'shape': \\(([\\d, ]*)\\)").matcher(header);
        assertThat(shape.find()).as(header).isTrue();
        long n = 1;
        for (String d : shape.group(1).split(",")) if (!d.isBlank()) n *= Long.parseLong(d.strip());
        for (int i = 0; i < n; i++) b.putFloat(data + 10 + headerLen + 4 * i, Float.NaN);
        return npz;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            return i;
        }
        throw new AssertionError("member not found");
    }

    private static GenerateCommandTest.Result generate(String... more) {
        String[] base = {"generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--max-tokens", "3"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return GenerateCommandTest.run(all);
    }

    @Test
    void aPngRenamedNpzIsNamedAsAPng() throws Exception {
        Path png = dir.resolve("x.npz");
        ImageIO.write(new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        var r = GenerateCommandTest.run("generate", "--checkpoint", png.toString(), "--tokenizer", TOK, "--image", IMG, "--prompt", "p");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("paligemma generate: " + png + ": not a checkpoint: looks like a PNG image; expected a ZIP/.npz"
                + " (first bytes 50 4b 03 04), a Flax msgpack map or a safetensors file, found 89 50 4e 47 ('?PNG')\n");
    }

    @Test
    void nanWeightsStopGenerationNamingTheStep() {
        var r = GenerateCommandTest.run("generate", "--checkpoint", nanCkpt.toString(), "--tokenizer", TOK, "--image", IMG,
                "--prompt", "caption en");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("paligemma generate: generation stopped: the logits at decode step 0 (before generated token 1)"
                + " are not finite (NaN at id 0): the weights or activations hold NaN or infinity (run with --check-weights to find the tensor)\n");
    }

    @Test
    void aNaNNormIsNamedWhileLoading() {
        var r = GenerateCommandTest.run("generate", "--checkpoint", nanNormCkpt.toString(), "--tokenizer", TOK, "--image", IMG,
                "--prompt", "caption en");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("paligemma generate: tensor llm/final_norm/scale: NaN at index 0 of 32: the checkpoint"
                + " holds non-finite weights (--check-weights lists every such tensor)\n");
    }

    @Test
    void checkWeightsNamesTheTensor() {
        var r = GenerateCommandTest.run("generate", "--checkpoint", nanCkpt.toString(), "--tokenizer", TOK, "--image", IMG,
                "--prompt", "caption en", "--check-weights");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("paligemma generate: " + nanCkpt + ": 1 tensor holds NaN or infinity: img/head/kernel: NaN at index 0 of 1024\n");
        var ok = generate("--image", IMG, "--prompt", "caption en", "--check-weights");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.err()).startsWith("paligemma generate: --check-weights: all ").contains(" tensors are finite");
    }

    @Test
    void devZeroAsTokenizerNamesTheFile() {
        var r = GenerateCommandTest.run("generate", "--checkpoint", CKPT, "--tokenizer", "/dev/zero", "--image", IMG, "--prompt", "p");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("paligemma generate: tokenizer file /dev/zero is not a regular file (a device, pipe or socket)\n");
    }

    @Test
    void anImageThatIsADirectoryOrAPipeIsNotAFile() throws Exception {
        var r = generate("--image", dir.toString(), "--prompt", "p");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("paligemma generate: image " + dir + ": not a file (a directory), expected a JPEG, PNG, BMP or GIF file\n");
        Path fifo = dir.resolve("pipe.jpg");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        r = generate("--image", fifo.toString(), "--prompt", "p");
        assertThat(r.err()).isEqualTo("paligemma generate: image " + fifo + ": not a file (a device, pipe or socket), expected a JPEG, PNG, BMP or GIF file\n");
    }

    @Test
    void aTextFileAsImageIsNotAnImage() throws Exception {
        Path txt = Files.writeString(dir.resolve("notes.jpg"), "hello\n");
        var r = generate("--image", txt.toString(), "--prompt", "p");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("paligemma generate: image " + txt + ": not an image: looks like text, expected JPEG, PNG, BMP or GIF data\n");
    }

    @Test
    void optionValuesThatLookLikeOptionsAreValues() throws Exception {
        var r = generate("--image", IMG, "--prompt", "-h", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("prompt").asText()).isEqualTo("-h");
        r = generate("--image", IMG, "--prompt", "--help", "--json");
        assertThat(new ObjectMapper().readTree(r.out()).get("prompt").asText()).isEqualTo("--help");
        var e = GenerateCommandTest.run("eval", "pope", "--prompt-template", "-h");
        assertThat(e.out()).doesNotContain("usage:");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("paligemma eval: ");
    }

    @Test
    void helpIsOnStdoutWithExitZero() {
        for (String[] argv : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"devices", "--help"},
                new String[] {"generate", "--backend", "tornadovm", "--help"}, new String[] {"generate", "--prompt", "x", "-h"},
                new String[] {"eval", "--help"})) {
            var r = GenerateCommandTest.run(argv);
            assertThat(r.code()).as(String.join(" ", argv)).isZero();
            assertThat(r.out()).startsWith("usage: paligemma ");
            assertThat(r.err()).isEmpty();
        }
        var none = GenerateCommandTest.run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).startsWith("usage: paligemma ");
    }

    @Test
    void debugShowsTheStackTraceAndOtherwiseThereIsNone() {
        var plain = GenerateCommandTest.run("generate", "--checkpoint", "/nonexistent.npz", "--tokenizer", TOK, "--image", IMG, "--prompt", "p");
        assertThat(plain.err()).isEqualTo("paligemma generate: --checkpoint: no such file: /nonexistent.npz\n");
        var debug = GenerateCommandTest.run("generate", "--checkpoint", "/nonexistent.npz", "--tokenizer", TOK, "--image", IMG, "--prompt", "p", "--debug");
        assertThat(debug.err()).startsWith("paligemma generate: --checkpoint: no such file: /nonexistent.npz\n")
                .contains("\tat paligemma4j.cli.");
        var first = GenerateCommandTest.run("--debug", "inspect", "/nonexistent.npz");
        assertThat(first.err()).contains("\tat paligemma4j.");
    }

    @Test
    void aBugIsCalledAnInternalErrorAndPointsToDebug() {
        Command crashing = new Command() {
            public String name() { return "crash"; }
            public String summary() { return "throws"; }
            public Args.Spec spec() { return new Args.Spec(""); }
            public int run(Args args, java.io.PrintStream out, java.io.PrintStream err) { throw new NullPointerException("x is null"); }
        };
        var err = new java.io.ByteArrayOutputStream();
        int code = Main.run(crashing, new String[0], false, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
                "paligemma crash: internal error: java.lang.NullPointerException: x is null (run with --debug for the stack trace)\n");
    }

    @Test
    void batchReportsEveryLineInOrderAndFailsIfAnyFailed() throws Exception {
        Files.writeString(dir.resolve("not-image.jpg"), "just text\n");
        Path batch = Files.writeString(dir.resolve("b.jsonl"), String.join("\n",
                "{\"image\": \"" + Path.of(IMG).toAbsolutePath() + "\", \"prompt\": \"caption en\"}",
                "{\"image\": \"not-image.jpg\", \"prompt\": \"caption en\"}",
                "{\"image\": \"missing.jpg\", \"prompt\": \"caption en\"}",
                "{\"image\": \"x.jpg\", \"prompt\": 42}",
                "{\"image\": \"x.jpg\", \"prompt\": \"p\"} trailing",
                "{\"image\": \"x.jpg\" \"prompt\": \"p\"}",
                "{\"image\": \"" + Path.of(IMG).toAbsolutePath() + "\", \"prompt\": \"answer en what?\"}") + "\n");
        var r = generate("--batch", batch.toString());
        assertThat(r.code()).isEqualTo(1);
        List<JsonNode> lines = r.out().lines().map(l -> {
            try {
                return new ObjectMapper().readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(lines).extracting(j -> j.get("line").asInt()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(lines.get(0).has("text")).isTrue();
        assertThat(lines.get(6).get("prompt").asText()).isEqualTo("answer en what?");
        assertThat(lines.get(1).get("error").asText())
                .isEqualTo("line 2: image " + dir.resolve("not-image.jpg") + ": not an image: looks like text, expected JPEG, PNG, BMP or GIF data");
        assertThat(lines.get(2).get("error").asText()).isEqualTo("line 3: image " + dir.resolve("missing.jpg") + ": no such file");
        assertThat(lines.get(3).get("error").asText()).isEqualTo("line 4: \"prompt\" must be a string, found a number (42)");
        assertThat(lines.get(4).get("error").asText()).isEqualTo("line 5, column 35: unexpected text after the JSON object (one object per line)");
        assertThat(lines.get(5).get("error").asText()).isEqualTo("line 6, column 19: not valid JSON (unexpected '\"')");
        assertThat(r.err()).contains("paligemma generate: " + batch + ": line 2: image ")
                .endsWith("paligemma generate: 5 of 7 batch lines failed\n");
    }

    @Test
    void anEmptyBatchFileIsAnError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        var r = generate("--batch", empty.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("paligemma generate: --batch: " + empty
                + " holds no request: expected one JSON object {\"image\": \"...\", \"prompt\": \"...\"} per line\n");
    }

    @Test
    void anEmptyAnswerSaysWhyOnStderrAndInJson() throws Exception {
        // on the tiny checkpoint this image and prompt give <eos> as the first token
        String img = GenerateCommandTest.RES.resolve("image/inputs/checker3_100x100.png").toString();
        var json = generate("--image", img, "--prompt", "ocr", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("tokens")).isEmpty();
        assertThat(j.get("text").asText()).isEmpty();
        assertThat(j.get("finish_reason").asText()).isEqualTo("eos");
        assertThat(j.get("empty_reason").asText()).isEqualTo("the model emitted <eos> as its first token");
        assertThat(json.err()).isEqualTo("paligemma generate: warning: empty answer: the model emitted <eos> as its first token\n");
        var plain = generate("--image", img, "--prompt", "ocr");
        assertThat(plain.out()).isEqualTo("\n");
        assertThat(plain.err()).isEqualTo(json.err());
    }

    @Test
    void jsonSaysWhyGenerationFinished() throws Exception {
        var r = generate("--image", IMG, "--prompt", "caption en", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("finish_reason").asText()).isIn("eos", "max_tokens");
        assertThat(j.get("finish_reason").asText()).isEqualTo(j.get("tokens").size() == 3 ? "max_tokens" : "eos");
        assertThat(j.has("empty_reason")).isEqualTo(j.get("tokens").isEmpty());
    }
}
