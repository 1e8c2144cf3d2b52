package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code paligemma bench} on the tiny checkpoint: the JSON contract, the tables, bad input. No timings asserted. */
class BenchCommandTest {
    static final String CKPT = GenerateCommandTest.CKPT;
    static final String TOK = GenerateCommandTest.TOK;

    @Test
    void jsonHasExactlyTheContractedFields() throws Exception {
        GenerateCommandTest.Result r = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--tokenizer", TOK,
                "--new-tokens", "3", "--repeat", "2", "--threads", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(r.out());
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).startsWith("load_ms", "vision_ms", "prefill_ms", "decode_ms_per_token", "tokens_per_second",
                "peak_rss_bytes", "weights", "threads", "prefix_tokens", "new_tokens");
        // 256 image tokens + <bos> "caption en" (7 pieces in the tiny tokenizer) "\n"
        assertThat(j.get("prefix_tokens").asInt()).isEqualTo(256 + 1 + 7 + 1);
        assertThat(j.get("new_tokens").asInt()).isEqualTo(3);
        assertThat(j.get("threads").asInt()).isEqualTo(2);
        assertThat(j.get("repetitions").asInt()).isEqualTo(2);
        assertThat(j.get("weights").asText()).isEqualTo("stored f32");
        assertThat(j.get("prompt_ids").asText()).isEqualTo("tokenizer");
        for (String f : List.of("load_ms", "vision_ms", "prefill_ms", "decode_ms_per_token", "tokens_per_second")) {
            assertThat(j.get(f).asDouble()).as(f).isPositive();
        }
        assertThat(j.get("peak_rss_bytes").asLong()).isGreaterThan(1 << 20);
    }

    @Test
    void withoutTokenizerUsesSyntheticIdsOfThePromptsLength() throws Exception {
        GenerateCommandTest.Result r = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--prompt",
                "answer en what is this", "--new-tokens", "1", "--repeat", "1", "--weights", "f32", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("prefix_tokens").asInt()).isEqualTo(256 + 1 + 5 + 1);
        assertThat(j.get("prompt_ids").asText()).isEqualTo("synthetic");
        assertThat(j.get("weights").asText()).isEqualTo("f32");
        assertThat(r.err()).contains("synthetic prompt ids");
    }

    @Test
    void q8WeightsRun() throws Exception {
        GenerateCommandTest.Result r = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--new-tokens", "2",
                "--repeat", "1", "--weights", "q8", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("weights").asText()).isEqualTo("q8");
        assertThat(j.get("decode_ms_per_token").asDouble()).isPositive();
    }

    @Test
    void profileReportsEveryStagesOperations() throws Exception {
        GenerateCommandTest.Result md = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--new-tokens", "2",
                "--repeat", "1", "--profile");
        assertThat(md.code()).as(md.err()).isZero();
        assertThat(md.out()).contains("where the time goes", "| vision | attention |", "| prefill | linear |",
                "| decode | matmulTransposed |", "GFLOP/s", "GB/s");
        GenerateCommandTest.Result js = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--new-tokens", "2",
                "--repeat", "1", "--profile", "--json");
        assertThat(js.code()).as(js.err()).isZero();
        JsonNode profile = new ObjectMapper().readTree(js.out()).get("profile");
        List<String> stages = new ArrayList<>();
        double decodeShare = 0;
        for (JsonNode row : profile) {
            if (!stages.contains(row.get("stage").asText())) stages.add(row.get("stage").asText());
            assertThat(row.get("ms").asDouble()).isNotNegative();
            if (row.get("stage").asText().equals("decode")) decodeShare += row.get("share").asDouble();
            if (row.get("op").asText().equals("linear") && row.get("stage").asText().equals("decode")
                    && row.get("shape").asText().startsWith("1x4*")) {
                // the tiny checkpoint's query + key + value heads, one row each: bytes per token
                assertThat(row.get("calls").asDouble()).as("calls per token").isEqualTo(2.0);   // one per layer
                assertThat(row.get("unit").asText()).isEqualTo("GB/s");
            }
        }
        assertThat(stages).containsExactly("vision", "prefill", "decode");
        assertThat(decodeShare).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void markdownAndCsvTablesHaveOneRowPerStage() {
        GenerateCommandTest.Result md = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--new-tokens", "2",
                "--repeat", "2", "--weights", "bf16");
        assertThat(md.code()).as(md.err()).isZero();
        assertThat(md.out()).contains("| stage | tokens | mean ms | ± std ms | tokens/s |", "| load |", "| vision | 256 |",
                "| prefill | 260 |", "| decode/token | 2 |", "weights bf16", "load average");
        GenerateCommandTest.Result csv = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--new-tokens", "1",
                "--repeat", "1", "--format", "csv");
        assertThat(csv.code()).as(csv.err()).isZero();
        String[] lines = csv.out().strip().split("\\R");
        assertThat(lines).hasSize(5);
        assertThat(lines[0]).isEqualTo("checkpoint,weights,threads,stage,tokens,mean ms,std ms,tokens/s");
        assertThat(lines[4]).startsWith("tiny-224.npz,stored f32,");
    }

    @Test
    void badInputIsOneClearLine() {
        GenerateCommandTest.Result q8 = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--weights", "q4");
        assertThat(q8.code()).isEqualTo(2);
        assertThat(q8.err().strip()).isEqualTo("paligemma bench: --weights must be one of stored|bf16|f32|f16|q8, got 'q4'");
        GenerateCommandTest.Result zero = GenerateCommandTest.run("bench", "--checkpoint", CKPT, "--new-tokens", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--new-tokens must be ≥ 1, got 0");
        GenerateCommandTest.Result missing = GenerateCommandTest.run("bench", "--checkpoint", "no-such.npz");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--checkpoint: no such file: no-such.npz");
    }

    @Test
    void statsAreTheTextbookOnes() {
        double[] v = {4, 1, 3, 2};
        assertThat(Stats.mean(v)).isEqualTo(2.5);
        assertThat(Stats.median(v)).isEqualTo(2.5);
        assertThat(Stats.median(new double[] {5, 1, 3})).isEqualTo(3);
        assertThat(Stats.std(v)).isCloseTo(Math.sqrt(5.0 / 3), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Stats.std(new double[] {7})).isZero();
    }

    @Test
    void syntheticIdsAreBosWordsNewlineWithinTheVocabulary() {
        int[] ids = BenchCommand.syntheticIds("caption en", 300);
        assertThat(ids).hasSize(4);
        assertThat(ids[0]).isEqualTo(2);
        for (int id : ids) assertThat(id).isBetween(0, 299);
    }
}
