package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.Fixtures;
import paligemma4j.eval.run.RunFiles;
import paligemma4j.eval.shard.Shell;

/**
 * Sharded runs through the CLI on the committed fixtures with the tiny checkpoint: for each benchmark
 * the unsharded run and the same run in 2 and in 3 shards ({@code --shards N} prints the commands, each
 * is run here, {@code eval collect} merges them) give the same predictions, id for id, and the same
 * report; {@code eval score} over the shard files agrees; a missing shard and overlapping shards are refused.
 */
class EvalShardsCommandTest {
    record Case(String bench, String data, String[] runExtra, String[] scoreExtra) {}

    static final List<Case> CASES = List.of(
            new Case("pope", "pope", new String[] {"--split", "popular"}, new String[] {"--split", "popular"}),
            new Case("mmvp", "mmvp", new String[] {}, new String[] {}),
            new Case("cococap", "coco", new String[] {}, new String[] {}),
            new Case("refcoco", "refcoco", new String[] {}, new String[] {}));

    static EvalScoreCommandTest.Result run(String... argv) {
        return EvalScoreCommandTest.run(argv);
    }

    /** The report without what differs between runs: this session's timings and the per-shard part. */
    static JsonNode comparable(Path runDir) throws Exception {
        ObjectNode r = (ObjectNode) Fixtures.JSON.readTree(runDir.resolve("report.json").toFile());
        r.remove("session");
        r.remove("shards");
        return r;
    }

    /** Plans N shards, runs each printed command in this JVM, collects; returns the printed commands. */
    static List<String> shardedRun(Path dir, Case c, int n) throws Exception {
        EvalScoreCommandTest.Result plan = run(EvalRunCommandTest.runArgs(dir, c.bench(), c.data(),
                concat(c.runExtra(), "--shards", String.valueOf(n))));
        assertThat(plan.code()).as(plan.err()).isZero();
        List<String> commands = plan.out().strip().lines().toList();
        assertThat(commands).hasSize(n);
        assertThat(plan.err()).contains("eval collect " + dir.toAbsolutePath());
        for (int k = 0; k < n; k++) {
            List<String> words = Shell.split(commands.get(k));
            assertThat(words.get(0)).endsWith("scripts/paligemma");
            assertThat(words).containsSubsequence("--out", dir.toAbsolutePath().resolve("shard-" + k).toString(),
                    "--shard", k + "/" + n, "--resume");
            EvalScoreCommandTest.Result shard = run(words.subList(1, words.size()).toArray(String[]::new));
            assertThat(shard.code()).as(shard.err()).isZero();
            assertThat(shard.out()).startsWith("shard " + k + "/" + n + ": ");
            JsonNode runJson = Fixtures.JSON.readTree(dir.resolve("shard-" + k).resolve("run.json").toFile());
            assertThat(runJson.get("shard").asText()).isEqualTo(k + "/" + n);
            assertThat(runJson.get("config").get("shard").asText()).isEqualTo(k + "/" + n);
        }
        EvalScoreCommandTest.Result collect = run("eval", "collect", dir.toString());
        assertThat(collect.code()).as(collect.err()).isZero();
        assertThat(collect.out()).contains("report " + dir.resolve("report.md"));
        return commands;
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    @Test
    void twoAndThreeShardsGiveTheUnshardedAnswersAndScoresForEveryBenchmark(@TempDir Path tmp) throws Exception {
        for (Case c : CASES) {
            Path whole = tmp.resolve(c.bench() + "-whole");
            // absolute paths, as the shard commands have them, so the reports' protocol sections match
            List<String> args = new ArrayList<>(List.of(EvalRunCommandTest.runArgs(whole, c.bench(), c.data(), c.runExtra())));
            for (String f : List.of("--checkpoint", "--tokenizer")) {
                int i = args.indexOf(f) + 1;
                args.set(i, Path.of(args.get(i)).toAbsolutePath().normalize().toString());
            }
            EvalScoreCommandTest.Result w = run(args.toArray(String[]::new));
            assertThat(w.code()).as(w.err()).isZero();
            List<String> expected = RunFiles.idsAnswersAndTokens(whole.resolve("predictions.jsonl"));
            for (int n : new int[] {2, 3}) {
                Path dir = tmp.resolve(c.bench() + "-" + n);
                shardedRun(dir, c, n);
                assertThat(RunFiles.idsAnswersAndTokens(dir.resolve("predictions.jsonl"))).as("%s in %d shards", c.bench(), n)
                        .isEqualTo(expected);
                assertThat(comparable(dir)).as("%s in %d shards", c.bench(), n).isEqualTo(comparable(whole));
                JsonNode report = Fixtures.JSON.readTree(dir.resolve("report.json").toFile());
                assertThat(report.get("shards")).hasSize(n);
                int sum = 0;
                for (JsonNode s : report.get("shards")) {
                    sum += s.get("examples").asInt();
                    assertThat(s.get("wall_seconds").asDouble()).isGreaterThan(0);
                }
                assertThat(sum).isEqualTo(expected.size());
                assertThat(report.get("session").get("predictions").asInt()).isEqualTo(expected.size());
                assertThat(Files.readString(dir.resolve("report.md"))).contains("## Shards").contains("| 1/" + n + " |");

                // eval score over the shard files gives the unsharded scores
                List<String> score = new ArrayList<>(List.of("eval", "score", c.bench(), "--data", EvalScoreCommandTest.fx(c.data()),
                        "--json", "--predictions"));
                for (int k = 0; k < n; k++) score.add(dir.resolve("shard-" + k).resolve("predictions.jsonl").toString());
                score.addAll(List.of(c.scoreExtra()));
                EvalScoreCommandTest.Result s = run(score.toArray(String[]::new));
                assertThat(s.code()).as(s.err()).isZero();
                JsonNode scored = s.json(), metrics = report.get("metrics");
                scored.fieldNames().forEachRemaining(k -> assertThat(scored.get(k)).as(k).isEqualTo(metrics.get(k)));
            }
        }
    }

    @Test
    void aMissingShardAndOverlappingShardsAreRefused(@TempDir Path tmp) throws Exception {
        Case pope = CASES.get(0);
        Path two = tmp.resolve("two"), three = tmp.resolve("three");
        shardedRun(two, pope, 2);
        EvalScoreCommandTest.Result plan3 = run(EvalRunCommandTest.runArgs(three, "pope", "pope", concat(pope.runExtra(), "--shards", "3")));
        assertThat(plan3.code()).as(plan3.err()).isZero();
        String s0 = two.resolve("shard-0/predictions.jsonl").toString(), s1 = two.resolve("shard-1/predictions.jsonl").toString();
        String data = EvalScoreCommandTest.fx("pope");

        EvalScoreCommandTest.Result missing = run("eval", "score", "pope", "--data", data, "--split", "popular", "--predictions", s0);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("no prediction for id");

        Path empty = tmp.resolve("empty.jsonl");
        Files.writeString(empty, "");
        EvalScoreCommandTest.Result missing2 = run("eval", "score", "pope", "--data", data, "--split", "popular",
                "--predictions", s0, empty.toString());
        assertThat(missing2.code()).isEqualTo(1);
        assertThat(missing2.err().strip().lines()).hasSize(1);
        List<Long> ids = new ArrayList<>();
        for (JsonNode line : EvalRunCommandTest.lines(Path.of(s1))) ids.add(line.get("id").asLong());
        assertThat(missing2.err()).contains("6 of 12 ids of pope popular have no prediction in the 2 files: "
                + ids.get(0) + ", " + ids.get(1) + ", " + ids.get(2) + ", " + ids.get(3) + ", " + ids.get(4) + ", ...")
                .contains("--partial");

        EvalScoreCommandTest.Result partial = run("eval", "score", "pope", "--data", data, "--split", "popular",
                "--predictions", s0, empty.toString(), "--partial", "--json");
        assertThat(partial.code()).as(partial.err()).isZero();
        JsonNode p = partial.json();
        assertThat(p.get("partial").asBoolean()).isTrue();
        assertThat(p.get("n").asInt()).isEqualTo(6);
        assertThat(p.get("missing").asInt()).isEqualTo(6);
        assertThat(p.get("split_size").asInt()).isEqualTo(12);
        assertThat(p.get("missing_ids").get(0).asLong()).isEqualTo(ids.get(0));

        EvalScoreCommandTest.Result twice = run("eval", "score", "pope", "--data", data, "--split", "popular",
                "--predictions", s0, s1, s0);
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err().strip().lines()).hasSize(1);
        assertThat(twice.err()).contains(s0 + " and " + s0 + " both predict 6 ids (").contains("overlapping predictions");

        // shard 0 of 2 and shard 1 of 3 (made from the printed command) share the second image's questions
        String cmd1 = plan3.out().strip().lines().toList().get(1);
        List<String> words = Shell.split(cmd1);
        assertThat(run(words.subList(1, words.size()).toArray(String[]::new)).code()).isZero();
        String t1 = three.resolve("shard-1/predictions.jsonl").toString();
        EvalScoreCommandTest.Result overlap = run("eval", "score", "pope", "--data", data, "--split", "popular",
                "--predictions", s1, t1);
        assertThat(overlap.code()).isEqualTo(1);
        assertThat(overlap.err().strip().lines()).hasSize(1);
        assertThat(overlap.err()).contains(s1 + " and " + t1 + " both predict 6 ids (" + ids.get(0) + ", ");

        // eval collect with shards 0 and 2 of 3 not run: a table, not-finished status 3, no report
        EvalScoreCommandTest.Result notYet = run("eval", "collect", three.toString());
        assertThat(notYet.code()).isEqualTo(3);
        assertThat(notYet.out()).contains("shard 0/3: not started, 0/6 predictions").contains("shard 1/3: done (6 examples)")
                .contains("shard 2/3: not started, 0/0 predictions");
        assertThat(notYet.err()).contains("1 of 3 shards done");
        assertThat(three.resolve("report.json")).doesNotExist();

        // a shard file changed behind collect's back: refused, naming the file
        Files.writeString(two.resolve("shard-0/predictions.jsonl"), Files.readString(Path.of(s1)));
        EvalScoreCommandTest.Result tampered = run("eval", "collect", two.toString());
        assertThat(tampered.code()).isEqualTo(1);
        assertThat(tampered.err()).contains("both predict 6 ids");
    }

    @Test
    void planningRefusals(@TempDir Path tmp) throws Exception {
        String[][] cases = {
            {"--shard K/N and --shards N exclude each other", "--shards", "2", "--shard", "0/2"},
            {"--sbatch-args needs --submit slurm", "--shards", "2", "--sbatch-args", "-p gpu"},
            {"--submit must be one of slurm, got 'pbs'", "--shards", "2", "--submit", "pbs"},
            {"--submit needs --shards N", "--submit", "slurm"},
            {"--shard: expected K/N (shard K, 0-based, of N), got '2'", "--shard", "2"},
            {"--shard: expected K/N with 0 <= K < N, got 2/2", "--shard", "2/2"},
        };
        for (String[] c : cases) {
            EvalScoreCommandTest.Result r = run(EvalRunCommandTest.runArgs(tmp.resolve("r"), "pope", "pope",
                    java.util.Arrays.copyOfRange(c, 1, c.length)));
            assertThat(r.code()).as(c[0]).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).contains(c[0]);
        }
        assertThat(tmp.resolve("r")).doesNotExist();
        EvalScoreCommandTest.Result notSharded = run("eval", "collect", tmp.toString());
        assertThat(notSharded.code()).isEqualTo(1);
        assertThat(notSharded.err()).contains("shards.json not found: not a sharded run");
        EvalScoreCommandTest.Result extra = run("eval", "collect", tmp.toString(), "--data", "x");
        assertThat(extra.code()).isEqualTo(2);
        assertThat(extra.err()).contains("--data does not apply to eval collect");

        Path dir = tmp.resolve("s");
        assertThat(run(EvalRunCommandTest.runArgs(dir, "pope", "pope", "--shards", "2")).code()).isZero();
        EvalScoreCommandTest.Result other = run(EvalRunCommandTest.runArgs(dir, "pope", "pope", "--shards", "3"));
        assertThat(other.code()).isEqualTo(1);
        assertThat(other.err()).contains("plans another run (2 shards of pope");
        EvalScoreCommandTest.Result whole = run(EvalRunCommandTest.runArgs(dir, "pope", "pope"));
        assertThat(whole.code()).isEqualTo(1);
        assertThat(whole.err()).contains("holds a sharded run (shards.json)");
        EvalScoreCommandTest.Result wrongShard = run(EvalRunCommandTest.runArgs(dir.resolve("shard-0"), "pope", "pope", "--shard", "0/2"));
        assertThat(wrongShard.code()).isZero();
        EvalScoreCommandTest.Result resumeOther = run(EvalRunCommandTest.runArgs(dir.resolve("shard-0"), "pope", "pope",
                "--shard", "1/2", "--resume"));
        assertThat(resumeOther.code()).isEqualTo(1);
        assertThat(resumeOther.err()).contains("--resume refused: the run was started with shard=\"0/2\" but this command asks for shard=\"1/2\"");
        EvalScoreCommandTest.Result resumeWhole = run(EvalRunCommandTest.runArgs(dir.resolve("shard-0"), "pope", "pope", "--resume"));
        assertThat(resumeWhole.err()).contains("the run was started with shard=\"0/2\" but this command asks for shard=(absent)");
    }
}
