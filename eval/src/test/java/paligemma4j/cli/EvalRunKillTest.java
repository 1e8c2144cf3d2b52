package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.Fixtures;

/**
 * A real kill: {@code paligemma eval pope} runs in a child JVM that is SIGKILLed once it has written a
 * few predictions; {@code --resume} then completes the run, and the predictions file equals an
 * uninterrupted run's, line for line (ids, answers, generated ids).
 */
class EvalRunKillTest {

    /** Questions in the pope fixture's adversarial split: a run killed with fewer lines was interrupted. */
    static final int ALL = 12;

    @Test
    void sigkilledRunResumesToTheSamePredictions(@TempDir Path tmp) throws Exception {
        Path killed = tmp.resolve("killed"), full = tmp.resolve("full");
        int before = killAfterThreeLines(killed);
        // a child that outran the kill did not test resuming: try again in a fresh folder (never skip)
        for (int retry = 1; retry <= 2 && before == ALL; retry++) {
            killed = tmp.resolve("killed-" + retry);
            before = killAfterThreeLines(killed);
        }
        assertThat(before).as("complete lines when the child was killed; its log:%n%s",
                Files.readString(killed.resolveSibling(killed.getFileName() + ".log"))).isBetween(3, ALL - 1);
        Path predictions = killed.resolve("predictions.jsonl");

        EvalScoreCommandTest.Result resumed = EvalScoreCommandTest.run(
                EvalRunCommandTest.runArgs(killed, "pope", "pope", "--split", "adversarial", "--threads", "1", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming " + killed + " after ");
        EvalScoreCommandTest.Result reference = EvalScoreCommandTest.run(
                EvalRunCommandTest.runArgs(full, "pope", "pope", "--split", "adversarial", "--threads", "1"));
        assertThat(reference.code()).as(reference.err()).isZero();
        assertThat(paligemma4j.eval.run.RunFiles.idsAnswersAndTokens(predictions))
                .hasSize(ALL)
                .isEqualTo(paligemma4j.eval.run.RunFiles.idsAnswersAndTokens(full.resolve("predictions.jsonl")));
        assertThat(Fixtures.JSON.readTree(killed.resolve("report.json").toFile()).get("metrics"))
                .isEqualTo(Fixtures.JSON.readTree(full.resolve("report.json").toFile()).get("metrics"));
    }

    /**
     * Runs {@code eval pope} into {@code out} in a child JVM, SIGKILLs it once 3 predictions are written, and
     * returns the complete lines then (fewer than 3 if the child died by itself; its output goes to out.log).
     */
    private static int killAfterThreeLines(Path out) throws Exception {
        String[] argv = EvalRunCommandTest.runArgs(out, "pope", "pope", "--split", "adversarial", "--threads", "1");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(argv));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
        Path predictions = out.resolve("predictions.jsonl");
        try {
            while (child.isAlive() && lineCount(predictions) < 3) Thread.sleep(5);
        } finally {
            child.destroyForcibly();                                          // SIGKILL on Linux
            child.waitFor();
        }
        return lineCount(predictions);
    }

    /** Complete lines (a torn last line without its newline does not count). */
    private static int lineCount(Path file) throws Exception {
        if (!Files.exists(file)) return 0;
        byte[] b = Files.readAllBytes(file);
        int n = 0;
        for (byte x : b) if (x == '\n') n++;
        return n;
    }
}
