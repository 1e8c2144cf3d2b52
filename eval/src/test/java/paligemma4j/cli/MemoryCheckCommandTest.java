package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The memory check of generate and bench with a small MemAvailable injected: one line, exit 1, before any work. */
class MemoryCheckCommandTest {
    static final String CKPT = GenerateCommandTest.CKPT;
    static final String TOK = GenerateCommandTest.TOK;

    @AfterEach
    void clear() {
        System.clearProperty("paligemma4j.memAvailable");
    }

    @Test
    void generateStopsWithTheNeedAndWhatHelps() {
        System.setProperty("paligemma4j.memAvailable", "1000000");
        GenerateCommandTest.Result r = GenerateCommandTest.run("generate", "--checkpoint", CKPT, "--tokenizer", TOK,
                "--image", GenerateCommandTest.IMG, "--prompt", "caption en", "--max-tokens", "4");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception")
                .startsWith("paligemma generate: PaliGemma").contains("needs about")
                .contains("decoder weights mapped").contains("KV cache").contains("MemAvailable is 0.0 GB")
                .contains("with Q8_0 weights (bench --weights q8) it needs about");
    }

    @Test
    void benchNamesItsWeightsOption() {
        System.setProperty("paligemma4j.memAvailable", "1000000");
        GenerateCommandTest.Result r = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--tokenizer", TOK,
                "--new-tokens", "2", "--repeat", "1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("paligemma bench: ").contains("with --weights q8 it needs about")
                .doesNotContain("bench: warm-up");
    }

    @Test
    void enoughMemoryRuns() {
        System.setProperty("paligemma4j.memAvailable", String.valueOf(64L << 30));
        GenerateCommandTest.Result r = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--tokenizer", TOK,
                "--new-tokens", "1", "--repeat", "1", "--weights", "q8", "--json");
        assertThat(r.code()).as(r.err()).isZero();
    }
}
