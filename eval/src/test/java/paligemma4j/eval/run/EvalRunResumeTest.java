package paligemma4j.eval.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.Fixtures;
import paligemma4j.eval.ScoreOptions;

/**
 * A run stopped mid-way (a crash after k predictions, then a torn half-written line as a kill leaves it)
 * and resumed gives the same predictions, line for line (ids and answers), as an uninterrupted run.
 */
class EvalRunResumeTest {
    static RunConfig config(Benchmark b, String split, String dataset, Path data, Protocol p, int limit) throws Exception {
        return new RunConfig(b, split, dataset, data, TinyModel.CHECKPOINT, Files.size(TinyModel.CHECKPOINT),
                TinyModel.TOKENIZER, Files.size(TinyModel.TOKENIZER), p, limit);
    }

    static EvalRun.Request request(RunConfig c, Path out, boolean resume) {
        return new EvalRun.Request(c, out, resume, new ScoreOptions(c.split(), c.dataset(), null, null, null), null, false);
    }

    private static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash");
        }
    }

    private void crashThenResume(Benchmark b, String split, String dataset, String fixture, int crashAfter,
                                 Path tmp) throws Exception {
        RunConfig c = config(b, split, dataset, Fixtures.path(fixture), Protocol.defaults(b), 0);
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        EvalRun.Outcome reference = EvalRun.run(request(c, full, false), TinyModel::open, err);

        assertThatThrownBy(() -> EvalRun.run(request(c, cut, false), TinyModel::open, err, done -> {
            if (done == crashAfter) throw new Crash();
        })).isInstanceOf(Crash.class);
        Path predictions = cut.resolve("predictions.jsonl");
        assertThat(Files.readAllLines(predictions)).hasSize(crashAfter);
        // A kill in the middle of a write leaves the start of the next line without its newline.
        String next = Files.readAllLines(full.resolve("predictions.jsonl")).get(crashAfter);
        Files.writeString(predictions, next.substring(0, next.length() / 2), StandardOpenOption.APPEND);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EvalRun.Outcome resumed = EvalRun.run(request(c, cut, true), TinyModel::open,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("dropped a torn last line")
                .contains("resuming " + cut + " after " + crashAfter + " of " + reference.predictions());
        assertThat(resumed.recovered()).isEqualTo(crashAfter);
        assertThat(resumed.ran()).isEqualTo(reference.predictions() - crashAfter);
        assertThat(RunFiles.idsAnswersAndTokens(predictions)).isEqualTo(RunFiles.idsAnswersAndTokens(full.resolve("predictions.jsonl")));
        assertThat(resumed.report().get("value").asDouble()).isEqualTo(reference.report().get("value").asDouble());
        assertThat(resumed.report().get("metrics")).isEqualTo(reference.report().get("metrics"));
    }

    @Test
    void popeKilledMidRunResumesToTheSamePredictions(@TempDir Path tmp) throws Exception {
        crashThenResume(Benchmark.POPE, "random", null, "pope", 5, tmp);
    }

    @Test
    void refcocoKilledMidRunResumesToTheSamePredictions(@TempDir Path tmp) throws Exception {
        crashThenResume(Benchmark.REFCOCO, "val", "refcoco", "refcoco", 3, tmp);
    }

    @Test
    void cococapBeamRunKilledMidRunResumesToTheSamePredictions(@TempDir Path tmp) throws Exception {
        crashThenResume(Benchmark.COCOCAP, "val", null, "coco", 1, tmp);
    }

    @Test
    void resumingAFinishedRunOnlyRescores(@TempDir Path tmp) throws Exception {
        RunConfig c = config(Benchmark.MMVP, null, null, Fixtures.path("mmvp"), Protocol.defaults(Benchmark.MMVP), 4);
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        EvalRun.run(request(c, tmp, false), TinyModel::open, err);
        String before = Files.readString(tmp.resolve("predictions.jsonl"));
        EvalRun.Outcome again = EvalRun.run(request(c, tmp, true), () -> {
            throw new AssertionError("a finished run must not load the model");
        }, err);
        assertThat(again.ran()).isZero();
        assertThat(again.recovered()).isEqualTo(4);
        assertThat(Files.readString(tmp.resolve("predictions.jsonl"))).isEqualTo(before);
        assertThat(again.report().get("protocol").get("resolution").asInt()).isEqualTo(224);
    }

    @Test
    void aSecondRunOnTheSameDirectoryIsRefusedWhileTheFirstHoldsIt(@TempDir Path tmp) throws Exception {
        RunConfig c = config(Benchmark.POPE, "random", null, Fixtures.path("pope"), Protocol.defaults(Benchmark.POPE), 2);
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (RunLock held = RunLock.acquire(tmp)) {
            assertThatThrownBy(() -> EvalRun.run(request(c, tmp, false), TinyModel::open, err))
                    .isInstanceOf(EvalException.class).hasMessageContaining("is in use by another eval run");
        }
        assertThat(EvalRun.run(request(c, tmp, false), TinyModel::open, err).ran()).isEqualTo(2);
    }

    @Test
    void aDamagedCompleteLineOrAForeignLogIsRefused(@TempDir Path tmp) throws Exception {
        RunConfig c = config(Benchmark.POPE, "random", null, Fixtures.path("pope"), Protocol.defaults(Benchmark.POPE), 4);
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        EvalRun.run(request(c, tmp, false), TinyModel::open, err);
        Path p = tmp.resolve("predictions.jsonl");
        List<String> lines = Files.readAllLines(p);

        Files.writeString(p, lines.get(0) + "\n{\"id\": 2, \"answ\n" + lines.get(2) + "\n");
        assertThatThrownBy(() -> EvalRun.run(request(c, tmp, true), TinyModel::open, err))
                .isInstanceOf(EvalException.class).hasMessageContaining("predictions.jsonl line 2: not a JSON prediction line");

        Files.writeString(p, lines.get(1) + "\n");
        assertThatThrownBy(() -> EvalRun.run(request(c, tmp, true), TinyModel::open, err))
                .isInstanceOf(EvalException.class)
                .hasMessageContaining("line 1: id 2 but example 1 of the run has id 1");
    }
}
