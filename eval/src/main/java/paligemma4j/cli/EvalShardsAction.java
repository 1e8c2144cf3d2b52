package paligemma4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.run.EvalRun;
import paligemma4j.eval.run.ShardCollector;
import paligemma4j.eval.shard.Launcher;
import paligemma4j.eval.shard.Shell;
import paligemma4j.eval.shard.ShardPlan;
import paligemma4j.eval.shard.SlurmArray;

/**
 * {@code eval BENCH ... --out RUN_DIR --shards N [--submit slurm [--sbatch-args "..."]]}: checks the run's
 * settings, writes {@code RUN_DIR/shards.json} (the plan {@code eval collect} reads) and the shard
 * directories, then either prints the N shard commands (one per line, for any scheduler) or writes
 * the Slurm array script and submits it, printing the job id. Every shard command carries
 * {@code --resume}, so running one again continues it.
 */
final class EvalShardsAction {
    static final String SCRIPT = SlurmArray.SCRIPT;
    /** Options that belong to the plan, not to each shard's command. */
    private static final Set<String> NOT_PASSED = Set.of("out", "shards", "submit", "sbatch-args", "resume", "json", "shard");
    private static final Set<String> PATHS = Set.of("data", "checkpoint", "tokenizer", "vae");

    private EvalShardsAction() {}

    static int plan(Benchmark bench, Args args, PrintStream out, PrintStream err) throws Exception {
        if (args.has("shard")) throw new UsageException("--shard K/N and --shards N exclude each other");
        int count = args.positiveInt("shards");
        String submit = args.has("submit") ? args.choice("submit", "slurm") : null;
        if (args.has("sbatch-args") && submit == null) throw new UsageException("--sbatch-args needs --submit slurm");
        List<String> sbatchArgs = args.has("sbatch-args") ? Shell.split(args.get("sbatch-args")) : List.of();
        if (!sbatchArgs.isEmpty() && !sbatchArgs.get(0).startsWith("-")) {
            throw new UsageException("--sbatch-args: expected sbatch options (starting with -), got '" + sbatchArgs.get(0) + "'");
        }

        EvalCommand.RunSettings s = EvalCommand.runSettings(bench, args);
        ShardCollector.Run run = new ShardCollector.Run(s.config(), s.scoring(), s.publishedRow(), count);
        ShardCollector.Split split = ShardCollector.split(run);
        if (bench == Benchmark.MMVP && split.examples().size() % 2 != 0) {
            throw new EvalException("mmvp: --limit must be even (questions come in pairs), got " + s.config().limit());
        }
        Path runDir = Path.of(args.require("out")).toAbsolutePath().normalize();
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) throw new EvalException(runDir + " is not a directory (--out)");
        if (Files.exists(runDir.resolve(EvalRun.RUN_JSON))) {
            throw new EvalException(runDir + " already holds an unsharded run (" + EvalRun.RUN_JSON + "); choose another --out");
        }
        ShardPlan plan = new ShardPlan(count, shardArgs(bench, args), Launcher.path().toString(), List.of());
        ShardPlan old = ShardPlan.read(runDir);
        if (old != null) {
            if (!old.sameRun(plan)) {
                throw new EvalException(runDir.resolve(ShardPlan.FILE) + " plans another run (" + old.count() + " shards of "
                        + String.join(" ", old.args()) + "); choose another --out");
            }
            plan = new ShardPlan(count, plan.args(), plan.launcher(), old.jobIds());
        }
        Files.createDirectories(runDir);
        for (int k = 0; k < count; k++) Files.createDirectories(runDir.resolve("shard-" + k));
        plan.write(runDir);
        List<Integer> sizes = split.shards().stream().map(List::size).toList();
        String label = bench.cliName + (s.config().dataset() == null ? "" : " " + s.config().dataset())
                + (s.config().split() == null ? "" : " " + s.config().split());
        if (submit == null) {
            for (int k = 0; k < count; k++) {
                List<String> words = new ArrayList<>(List.of(plan.launcher(), "eval"));
                words.addAll(plan.shardArgs(runDir, k));
                out.println(Shell.join(words));
            }
            err.println("eval: " + label + " in " + count + " shards of " + sizes + " examples; run each command above (any order,"
                    + " anywhere that sees " + runDir + "), then: paligemma eval collect " + runDir);
            return 0;
        }
        Path script = SlurmArray.write(runDir, plan, sbatchArgs, plan.args().contains("--threads"), label);
        String job = SlurmArray.submit(script);
        plan.withJob(job).write(runDir);
        out.println(job);
        err.println("eval: submitted Slurm array job " + job + " (" + count + " tasks; shards of " + sizes + " examples) from "
                + script + "; merge with: paligemma eval collect " + runDir + " --wait");
        return 0;
    }

    /** The given run options, with absolute paths, as every shard repeats them. */
    private static List<String> shardArgs(Benchmark bench, Args args) {
        List<String> a = new ArrayList<>(List.of(bench.cliName));
        for (Map.Entry<String, String> e : args.given().entrySet()) {
            if (NOT_PASSED.contains(e.getKey())) continue;
            String v = PATHS.contains(e.getKey()) ? Path.of(e.getValue()).toAbsolutePath().normalize().toString() : e.getValue();
            a.add("--" + e.getKey());
            a.add(v);
        }
        return a;
    }
}
