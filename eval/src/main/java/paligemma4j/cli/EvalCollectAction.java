package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.run.ShardCollector;
import paligemma4j.eval.shard.ShardPlan;
import paligemma4j.eval.shard.SlurmQueue;

/**
 * {@code eval collect RUN_DIR [--wait] [--poll SECONDS]}: the state of each shard of a sharded run
 * (its own files, and Slurm's {@code squeue}/{@code scontrol} when it was submitted there). When every
 * shard is complete it merges them ({@link ShardCollector#merge}) and prints the report's summary
 * line, as an unsharded run does. Otherwise it prints one line per shard and exits with status 3
 * (not finished), or 1 if a shard has left Slurm's queue unfinished; {@code --wait} checks again
 * every {@code --poll} seconds until all are done or one is lost.
 */
final class EvalCollectAction {
    /** Exit status when some shards are still queued or running. */
    static final int NOT_FINISHED = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalCollectAction() {}

    static int collect(Path runDir, Args args, PrintStream out, PrintStream err) throws Exception {
        if (!Files.isDirectory(runDir)) throw new UsageException("eval collect: no such directory: " + runDir);
        ShardPlan plan = ShardPlan.read(runDir);
        if (plan == null) {
            throw new EvalException(runDir.resolve(ShardPlan.FILE) + " not found: not a sharded run (eval BENCH ... --out "
                    + runDir + " --shards N makes one)");
        }
        int poll = args.positiveInt("poll");
        List<String> argv = new ArrayList<>(List.of(plan.args().get(0)));
        argv.addAll(plan.args().subList(1, plan.args().size()));
        Args runArgs;
        EvalCommand.RunSettings s;
        try {
            runArgs = Args.parse("eval", new EvalCommand().spec(), argv.toArray(String[]::new));
            s = EvalCommand.runSettings(Benchmark.byName(plan.args().get(0)), runArgs);
        } catch (UsageException e) {
            throw new EvalException(runDir.resolve(ShardPlan.FILE) + ": its arguments no longer make a run: " + e.getMessage());
        }
        ShardCollector.Run run = new ShardCollector.Run(s.config(), s.scoring(), s.publishedRow(), plan.count());
        ShardCollector.Split split = ShardCollector.split(run);
        String job = plan.lastJob();
        String last = null;
        while (true) {
            Map<Integer, SlurmQueue.Task> tasks = job == null ? null : SlurmQueue.tasks(job);
            List<ShardCollector.ShardState> states = ShardCollector.states(runDir, run, split, tasks);
            if (states.stream().allMatch(ShardCollector.ShardState::done)) break;
            List<ShardCollector.ShardState> lost = states.stream().filter(ShardCollector.ShardState::lost).toList();
            String table = table(states, job);
            if (!lost.isEmpty() || !args.flag("wait")) {
                out.print(table);
                if (!lost.isEmpty()) {
                    throw new EvalException(lost.size() + " of " + plan.count() + " shards left Slurm's queue unfinished ("
                            + String.join("; ", lost.stream().map(x -> "shard " + x.shard().label() + ": " + x.describe()).toList())
                            + "); see " + runDir + "/shard-K/slurm-*.out, then submit again with the same eval command (it resumes them)");
                }
                long done = states.stream().filter(ShardCollector.ShardState::done).count();
                err.println("paligemma eval: " + done + " of " + plan.count() + " shards done; collect again later, or with --wait");
                return NOT_FINISHED;
            }
            if (!table.equals(last)) err.print(table);
            last = table;
            Thread.sleep(poll * 1000L);
        }
        ObjectNode report = ShardCollector.merge(runDir, run, split);
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(report));
        } else {
            out.println(EvalCommand.summary(report, runDir));
        }
        return 0;
    }

    private static String table(List<ShardCollector.ShardState> states, String job) {
        StringBuilder s = new StringBuilder();
        for (ShardCollector.ShardState st : states) {
            s.append("shard ").append(st.shard().label()).append(": ").append(st.describe())
                    .append(job == null ? "" : " [Slurm " + job + "_" + st.shard().index() + "]").append('\n');
        }
        return s.toString();
    }
}
