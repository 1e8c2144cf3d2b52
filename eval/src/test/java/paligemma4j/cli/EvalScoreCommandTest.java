package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.Fixtures;

/** {@code paligemma eval score ...}: one JSON object with the reference values; bad ids fail with one line. */
class EvalScoreCommandTest {
    record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return Fixtures.JSON.readTree(out);
        }
    }

    static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String fx(String p) {
        return Fixtures.path(p).toString();
    }

    @Test
    void pope() throws Exception {
        JsonNode e = Fixtures.json("pope/expected.json").get("popular");
        for (String parser : new String[] {"big_vision", "original"}) {
            Result r = run("eval", "score", "pope", "--data", fx("pope"), "--predictions",
                    fx("pope/predictions_popular.jsonl"), "--split", "popular", "--pope-parser", parser, "--json");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().strip().lines()).hasSize(1);
            JsonNode j = r.json(), x = e.get(parser);
            for (String k : new String[] {"accuracy", "precision", "recall", "f1", "yes_ratio"}) {
                assertThat(j.get(k).asDouble()).as(k).isCloseTo(x.get(k).asDouble(), within(1e-12));
            }
            assertThat(j.get("n").asInt()).isEqualTo(12);
        }
    }

    @Test
    void mmvp() throws Exception {
        JsonNode e = Fixtures.json("mmvp/expected.json");
        Result r = run("eval", "score", "mmvp", "--data", fx("mmvp"), "--predictions", fx("mmvp/predictions.jsonl"), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().get("pair_accuracy").asDouble()).isEqualTo(e.get("pair_accuracy").asDouble());
        assertThat(r.json().get("question_accuracy").asDouble()).isEqualTo(e.get("question_accuracy").asDouble());
        assertThat(r.json().get("n").asInt()).isEqualTo(8);
        // letters only: '(a)' and 'B' are the only matches among the fixture answers
        Result letters = run("eval", "score", "mmvp", "--data", fx("mmvp"), "--predictions", fx("mmvp/predictions.jsonl"),
                "--mmvp-match", "letter", "--json");
        assertThat(letters.json().get("question_accuracy").asDouble()).isEqualTo(25.0);
        assertThat(letters.json().get("pair_accuracy").asDouble()).isEqualTo(25.0);
    }

    @Test
    void cococap() throws Exception {
        JsonNode golden = Fixtures.json("golden/cider.json.gz");
        double expected = 0;
        for (JsonNode s : golden.get("sets")) if (s.get("name").asText().equals("coco_fixture_val")) expected = s.get("score").asDouble();
        Result r = run("eval", "score", "cococap", "--data", fx("coco"), "--predictions", fx("coco/predictions_val.jsonl"), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().get("cider").asDouble()).isCloseTo(100 * expected, within(1e-7));
        assertThat(r.json().get("n").asInt()).isEqualTo(3);
        Result t = run("eval", "score", "cococap", "--data", fx("coco"), "--predictions", fx("coco/predictions_test.jsonl"),
                "--split", "test", "--json");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.json().get("n").asInt()).isEqualTo(1);
    }

    @Test
    void refcoco() throws Exception {
        JsonNode exp = Fixtures.json("refcoco/expected.json");
        for (String key : new String[] {"refcoco/val", "refcoco+/val", "refcocog/val", "refcoco/testA"}) {
            JsonNode x = exp.get(key);
            String[] dk = key.split("/");
            Result r = run("eval", "score", "refcoco", "--data", fx("refcoco"), "--dataset", dk[0], "--split", dk[1],
                    "--predictions", fx("refcoco/" + x.get("file").asText()), "--json");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.json().get("miou").asDouble()).as(key).isCloseTo(x.get("miou").asDouble(), within(1e-6));
            assertThat(r.json().get("invalid").asInt()).isEqualTo(x.get("invalid").asInt());
            assertThat(r.json().get("n").asInt()).isEqualTo(x.get("n").asInt());
            assertThat(r.json().get("boxacc_0.5").asDouble()).isCloseTo(x.get("boxacc_05").asDouble(), within(1e-9));
        }
    }

    @Test
    void missingDuplicateAndUnknownIdsFailWithOneLine(@TempDir Path tmp) throws Exception {
        String base = Files.readString(Fixtures.path("mmvp/predictions.jsonl"));
        Path missing = tmp.resolve("missing.jsonl");
        Files.writeString(missing, base.lines().skip(1).reduce("", (a, b) -> a + b + "\n"));
        Path dup = tmp.resolve("dup.jsonl");
        Files.writeString(dup, base + "{\"id\": 3, \"answer\": \"x\"}\n");
        Path unknown = tmp.resolve("unknown.jsonl");
        Files.writeString(unknown, base + "{\"id\": 301, \"answer\": \"x\"}\n");
        String[][] cases = {{missing.toString(), "no prediction for id 1"}, {dup.toString(), "duplicate id 3"},
            {unknown.toString(), "id 301 is not in MMVP"}};
        for (String[] c : cases) {
            Result r = run("eval", "score", "mmvp", "--data", fx("mmvp"), "--predictions", c[0], "--json");
            assertThat(r.code()).isNotZero();
            assertThat(r.out()).isEmpty();
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains(c[1]);
        }
        Result bad = run("eval", "score", "nope", "--data", fx("mmvp"), "--predictions", missing.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip().lines()).hasSize(1);
    }
}
