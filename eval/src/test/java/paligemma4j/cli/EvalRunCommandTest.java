package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.Fixtures;

/**
 * {@code paligemma eval BENCH ... --out RUN_DIR} on the committed fixture datasets with the tiny
 * random-weight checkpoint: the outputs are meaningless, the pipeline is the real one. Each run's
 * report equals {@code eval score} on its predictions file; refusals are one line.
 */
class EvalRunCommandTest {
    static final String CKPT = Path.of("..", "model", "src", "test", "resources", "tiny", "tiny-224.npz").toString();
    static final String TOK = Path.of("..", "model", "src", "test", "resources", "tokenizer", "tiny.model").toString();

    static EvalScoreCommandTest.Result run(String... argv) {
        return EvalScoreCommandTest.run(argv);
    }

    static String[] runArgs(Path out, String bench, String data, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval", bench, "--data", EvalScoreCommandTest.fx(data), "--checkpoint", CKPT,
                "--tokenizer", TOK, "--threads", "2", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String s : Files.readAllLines(file, StandardCharsets.UTF_8)) out.add(Fixtures.JSON.readTree(s));
        return out;
    }

    /** Runs the whole fixture split, checks the files, and rescoring with {@code eval score} gives the report's metrics. */
    private JsonNode fullRun(Path out, String bench, String data, int n, String[] scoreExtra, String... extra) throws Exception {
        EvalScoreCommandTest.Result r = run(runArgs(out, bench, data, extra));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip().lines()).hasSize(1);
        assertThat(r.out()).contains("report " + out.resolve("report.md"));
        for (String f : new String[] {"run.json", "predictions.jsonl", "report.json", "report.md"}) {
            assertThat(out.resolve(f)).isRegularFile();
        }
        List<JsonNode> preds = lines(out.resolve("predictions.jsonl"));
        assertThat(preds).hasSize(n);
        Set<Long> ids = new HashSet<>();
        for (JsonNode p : preds) {
            assertThat(ids.add(p.get("id").asLong())).isTrue();
            assertThat(p.get("answer").isTextual()).isTrue();
            assertThat(p.get("ids").size()).isEqualTo(p.get("tokens").size());
            assertThat(p.get("ms").get("total").asDouble()).isGreaterThan(0);
        }
        JsonNode report = Fixtures.JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.get("partial").asBoolean()).isFalse();
        List<String> score = new ArrayList<>(List.of("eval", "score", bench, "--data", EvalScoreCommandTest.fx(data),
                "--predictions", out.resolve("predictions.jsonl").toString(), "--json"));
        score.addAll(List.of(scoreExtra));
        EvalScoreCommandTest.Result s = run(score.toArray(String[]::new));
        assertThat(s.code()).as(s.err()).isZero();
        JsonNode rescored = s.json();
        rescored.fieldNames().forEachRemaining(k ->
                assertThat(report.get("metrics").get(k)).as(k).isEqualTo(rescored.get(k)));
        assertThat(report.get("value")).isEqualTo(rescored.get(report.get("metric").asText()));
        return report;
    }

    @Test
    void popeFullRunEncodesEachImageOnceAndComparesWithThePublishedRows(@TempDir Path tmp) throws Exception {
        JsonNode r = fullRun(tmp, "pope", "pope", 12, new String[] {"--split", "popular"}, "--split", "popular",
                "--published-row", "mix-224");
        assertThat(r.get("metric").asText()).isEqualTo("accuracy");
        assertThat(r.get("session").get("images_encoded_now").asInt()).isEqualTo(2);   // 12 questions on 2 images
        JsonNode p = r.get("protocol");
        assertThat(p.get("prompt_template").asText()).isEqualTo("{question}");
        assertThat(p.get("text_len").asInt()).isEqualTo(48);
        assertThat(p.get("decoding").asText()).isEqualTo("greedy");
        assertThat(p.get("max_tokens").asInt()).isEqualTo(48);
        assertThat(p.get("kv_cache").asText()).isEqualTo("bf16");
        assertThat(p.get("resolution").asInt()).isEqualTo(224);
        // the 224 rows of POPE popular: ft-vqav2-224 85.87 and mix-224 86.63
        assertThat(r.get("published_rows")).hasSize(2);
        assertThat(r.get("published").get("value").asDouble()).isEqualTo(86.63);
        assertThat(r.get("published").get("difference").asDouble()).isEqualTo(r.get("value").asDouble() - 86.63);
        String md = Files.readString(tmp.resolve("report.md"));
        assertThat(md).contains("google/paligemma-3b-mix-224").contains("google/paligemma-3b-ft-vqav2-224")
                .contains("| prompt_template | `{question}` |")
                .contains("PaliGemma 2: not published ([Table 13 (mean of 5 fine-tuning runs)](https://arxiv.org/abs/2412.03555v1))");
        assertThat(r.get("not_published").get(0).get("model").asText()).isEqualTo("PaliGemma 2");
        for (JsonNode line : lines(tmp.resolve("predictions.jsonl"))) {
            assertThat(line.get("prompt_tokens").asInt()).isLessThanOrEqualTo(48);
        }
    }

    @Test
    void mmvpFullRun(@TempDir Path tmp) throws Exception {
        JsonNode r = fullRun(tmp, "mmvp", "mmvp", 8, new String[] {});
        assertThat(r.get("metric").asText()).isEqualTo("pair_accuracy");
        assertThat(r.get("published_rows")).hasSize(2);                 // ft-vqav2-224, mix-224
        assertThat(r.get("session").get("images_encoded_now").asInt()).isEqualTo(8);
    }

    @Test
    void cococapFullRunUsesBeamTwo(@TempDir Path tmp) throws Exception {
        JsonNode r = fullRun(tmp, "cococap", "coco", 3, new String[] {});
        assertThat(r.get("protocol").get("decoding").asText()).isEqualTo("beam 2");
        assertThat(r.get("protocol").get("max_tokens").asInt()).isEqualTo(32);
        assertThat(r.get("protocol").get("text_len").asInt()).isEqualTo(32);
        assertThat(r.get("published_rows").get(0).get("value").asDouble()).isEqualTo(141.92);
        assertThat(r.get("published_rows")).hasSize(4);                 // ft-cococap-224, pg2-{3b,10b,28b}-224
        assertThat(r.get("published_rows").get(1).get("row").asText()).isEqualTo("pg2-3b-224");
        assertThat(r.get("published_rows").get(1).get("value").asDouble()).isEqualTo(141.3);
        assertThat(r.get("published_rows").get(1).get("source").asText()).isEqualTo("https://arxiv.org/abs/2412.03555v1");
        assertThat(r.get("not_published")).isEmpty();
        for (JsonNode line : lines(tmp.resolve("predictions.jsonl"))) {
            assertThat(line.get("ids").size()).isLessThanOrEqualTo(31);   // beam: at most L-1 tokens before EOS
        }
    }

    @Test
    void refcocoFullRunReadsThePieces(@TempDir Path tmp) throws Exception {
        JsonNode r = fullRun(tmp, "refcoco", "refcoco", 7, new String[] {});
        assertThat(r.get("metric").asText()).isEqualTo("miou");
        assertThat(r.get("published_rows").get(0).get("value").asDouble()).isEqualTo(73.40);
        assertThat(r.get("metrics").get("invalid").asInt()).isBetween(0, 7);
        JsonNode g = fullRun(tmp.resolve("g"), "refcoco", "refcoco", 2, new String[] {"--dataset", "refcocog"},
                "--dataset", "refcocog");
        assertThat(g.get("published_rows").get(0).get("value").asDouble()).isEqualTo(67.65);
    }

    @Test
    void limitedRunsArePartialAndNotComparable(@TempDir Path tmp) throws Exception {
        String[][] cases = {{"pope", "pope", "5"}, {"mmvp", "mmvp", "4"}, {"cococap", "coco", "2"}, {"refcoco", "refcoco", "3"}};
        for (String[] c : cases) {
            Path out = tmp.resolve(c[0]);
            EvalScoreCommandTest.Result r = run(runArgs(out, c[0], c[1], "--limit", c[2], "--json"));
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode report = r.json();
            assertThat(report.get("partial").asBoolean()).isTrue();
            assertThat(report.get("comparable").asBoolean()).isFalse();
            assertThat(report.get("protocol").get("n").asInt()).isEqualTo(Integer.parseInt(c[2]));
            assertThat(report.get("protocol").get("limit").asInt()).isEqualTo(Integer.parseInt(c[2]));
            assertThat(lines(out.resolve("predictions.jsonl"))).hasSize(Integer.parseInt(c[2]));
            assertThat(Files.readString(out.resolve("report.md"))).contains("partial run");
        }
    }

    @Test
    void runJsonRecordsTheDecoderSettingsAndResumeKeepsThem(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        assertThat(run(runArgs(out, "pope", "pope", "--limit", "2", "--attn-logit-softcap", "7")).code()).isZero();
        JsonNode config = Fixtures.JSON.readTree(out.resolve("run.json").toFile()).get("config");
        assertThat(config.get("final_logit_softcap").asDouble()).isEqualTo(0.0);   // a PaliGemma 1 checkpoint's default
        assertThat(config.get("attn_logit_softcap").asDouble()).isEqualTo(7.0);
        assertThat(config.get("query_scale").asText()).isEqualTo("head-dim");
        assertThat(config.get("sliding_window").asInt()).isZero();
        EvalScoreCommandTest.Result r = run(runArgs(out, "pope", "pope", "--limit", "2", "--resume"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--resume refused: the run was started with attn_logit_softcap=7.0 but this command "
                + "asks for attn_logit_softcap=0.0");
    }

    @Test
    void refusalsAreOneLine(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        assertThat(run(runArgs(out, "pope", "pope", "--limit", "2")).code()).isZero();
        String predictions = Files.readString(out.resolve("predictions.jsonl"));
        String runJson = Files.readString(out.resolve("run.json"));
        String[][] cases = {
            {"already holds a run", "pope", "pope", "--limit", "2"},
            {"--resume refused: the run was started with max_tokens=48 but this command asks for max_tokens=8",
                "pope", "pope", "--limit", "2", "--max-tokens", "8", "--resume"},
            {"--resume refused: the run was started with split=\"random\" but this command asks for split=\"adversarial\"",
                "pope", "pope", "--limit", "2", "--split", "adversarial", "--resume"},
            {"--published-row mix-896: no such published number", "pope", "pope", "--limit", "2", "--resume",
                "--published-row", "mix-896"},
            {"--published-row mix-448 is a 448 px number but the checkpoint's images are 224 px", "pope", "pope",
                "--limit", "2", "--resume", "--published-row", "mix-448"},
        };
        for (String[] c : cases) {
            EvalScoreCommandTest.Result r = run(runArgs(out, c[1], c[2], java.util.Arrays.copyOfRange(c, 3, c.length)));
            assertThat(r.code()).as(c[0]).isEqualTo(1);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).contains(c[0]);
        }
        assertThat(Files.readString(out.resolve("predictions.jsonl"))).isEqualTo(predictions);   // nothing overwritten
        assertThat(Files.readString(out.resolve("run.json"))).isEqualTo(runJson);
        EvalScoreCommandTest.Result odd = run(runArgs(tmp.resolve("odd"), "mmvp", "mmvp", "--limit", "3"));
        assertThat(odd.err()).contains("--limit must be even");
        EvalScoreCommandTest.Result usage = run(runArgs(tmp.resolve("u"), "pope", "pope", "--predictions", "x.jsonl"));
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("--predictions does not apply to eval pope");
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("predictions.jsonl"), "{\"id\": 1, \"answer\": \"yes\"}\n");
        EvalScoreCommandTest.Result f = run(runArgs(foreign, "pope", "pope", "--resume"));
        assertThat(f.err()).contains("run.json is missing: not a run to resume");
        assertThat(Files.exists(tmp.resolve("u"))).isFalse();
    }

    /** Whether this build compiled the TornadoVM backend (profile tornadovm); the default build and CI do not. */
    static boolean tornadoBuild() {
        try {
            Class.forName(Backends.TORNADO_ENTRY);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    @DisabledIf("tornadoBuild")
    void tornadoBackendWithoutTheSdkIsOneLine(@TempDir Path tmp) {
        EvalScoreCommandTest.Result r = run(runArgs(tmp, "pope", "pope", "--split", "popular", "--backend", "tornadovm"));
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("--backend tornadovm").contains("no TornadoVM backend");
    }
}
