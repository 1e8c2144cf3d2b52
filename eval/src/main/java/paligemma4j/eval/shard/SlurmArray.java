package paligemma4j.eval.shard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.EvalException;

/**
 * The Slurm job array of a sharded run: one script, {@code RUN_DIR/eval-shards.sbatch}, whose task K
 * runs shard K into {@code RUN_DIR/shard-K/} with {@code --resume}, so a requeued task (the script asks
 * for {@code --requeue}) or a rerun ({@code sbatch RUN_DIR/eval-shards.sbatch}) continues after the
 * predictions already on disk and a finished shard only rewrites its shard.json. Each task's log is
 * {@code RUN_DIR/shard-K/slurm-JOB_K.out}, appended across requeues.
 */
public final class SlurmArray {
    public static final String SCRIPT = "eval-shards.sbatch";

    private SlurmArray() {}

    /**
     * Writes the script.
     *
     * @param sbatchArgs {@code --sbatch-args}, split into words; each option (a word starting with '-' and the
     *                   words after it that do not) becomes one {@code #SBATCH} line after the defaults
     * @param threadsGiven whether the run sets {@code --threads}; if not, each task uses its allocated CPUs
     */
    public static Path write(Path runDir, ShardPlan plan, List<String> sbatchArgs, boolean threadsGiven, String label) {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# paligemma4j eval: ").append(label).append(" in ").append(plan.count())
                .append(" shards, one array task per shard (written by `paligemma eval ... --shards ")
                .append(plan.count()).append(" --submit slurm`).\n");
        s.append("# Task K runs shard K into ").append(runDir).append("/shard-K/ and resumes what is there, so a requeue\n");
        s.append("# or a rerun (sbatch ").append(runDir.resolve(SCRIPT)).append(") continues. Merge with: paligemma eval collect ")
                .append(runDir).append(" --wait\n");
        s.append("#SBATCH --job-name=paligemma-eval-").append(plan.args().get(0)).append('\n');
        s.append("#SBATCH --array=0-").append(plan.count() - 1).append('\n');
        s.append("#SBATCH --requeue\n");
        s.append("#SBATCH --open-mode=append\n");
        s.append("#SBATCH --output=").append(runDir).append("/shard-%a/slurm-%A_%a.out\n");
        for (String line : directives(sbatchArgs)) s.append("#SBATCH ").append(line).append('\n');
        s.append("set -euo pipefail\n");
        s.append("K=\"${SLURM_ARRAY_TASK_ID:-${1:-}}\"\n");
        s.append("if [ -z \"$K\" ]; then echo \"usage: sbatch $0 (outside Slurm: bash $0 K runs shard K)\" >&2; exit 2; fi\n");
        List<String> words = new ArrayList<>();
        words.add(plan.launcher());
        words.add("eval");
        words.addAll(plan.args());
        s.append("exec ").append(Shell.join(words));
        if (!threadsGiven) s.append(" --threads \"${SLURM_CPUS_PER_TASK:-$(nproc)}\"");
        if (!plan.args().contains("--progress")) s.append(" --progress lines");
        s.append(" --out \"").append(shellDoubleQuoted(runDir.toString())).append("/shard-$K\" --shard \"$K/")
                .append(plan.count()).append("\" --resume\n");
        Path script = runDir.resolve(SCRIPT);
        try {
            Files.writeString(script, s.toString(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new EvalException(script + ": cannot write the Slurm script: " + e.getMessage(), e);
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: sbatch reads the script anyway
        }
        return script;
    }

    /** {@code --sbatch-args} words grouped into one option per line. */
    static List<String> directives(List<String> words) {
        List<String> lines = new ArrayList<>();
        for (String w : words) {
            if (w.startsWith("-") || lines.isEmpty()) {
                if (!w.startsWith("-")) throw new EvalException("--sbatch-args: expected sbatch options (starting with -), got '" + w + "'");
                lines.add(Shell.quote(w));
            } else {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + Shell.quote(w));
            }
        }
        return lines;
    }

    /** Submits the script with {@code sbatch --parsable}; returns the job id. */
    public static String submit(Path script) {
        Processes.Result r = Processes.run(List.of("sbatch", "--parsable", script.toString()), 120);
        if (r.exit() != 0) throw new EvalException("sbatch " + script + " failed (exit " + r.exit() + "): " + r.firstErrorLine());
        String id = r.out().strip().lines().reduce((a, b) -> b).orElse("").split(";")[0].strip();
        if (!id.matches("\\d+")) throw new EvalException("sbatch " + script + ": expected a job id, got '" + r.out().strip() + "'");
        return id;
    }

    private static String shellDoubleQuoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }
}
