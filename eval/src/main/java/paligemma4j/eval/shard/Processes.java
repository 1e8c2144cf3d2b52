package paligemma4j.eval.shard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import paligemma4j.eval.EvalException;

/** Runs a scheduler command ({@code sbatch}, {@code squeue}, {@code scontrol}) and returns what it printed. */
final class Processes {
    /** Exit status and output of one command. */
    record Result(int exit, String out, String err) {
        /** The first line of stderr (or stdout), for one-line messages. */
        String firstErrorLine() {
            String s = err.isBlank() ? out : err;
            return s.strip().lines().findFirst().orElse("(no output)");
        }
    }

    private Processes() {}

    /**
     * Runs {@code command}, waiting at most {@code timeoutSeconds}.
     *
     * @throws EvalException if the program is not on PATH or does not finish in time
     */
    static Result run(List<String> command, int timeoutSeconds) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new EvalException(command.get(0) + ": cannot run it (" + e.getMessage().lines().findFirst().orElse("")
                    + "); is Slurm's client installed and on PATH?");
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EvalException(String.join(" ", command) + ": no answer within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EvalException(command.get(0) + ": interrupted");
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
