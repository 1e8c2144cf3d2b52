package paligemma4j.eval.shard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Slurm says about the tasks of one array job, from {@code squeue} (tasks still queued, running
 * or completing) and {@code scontrol show job} (tasks Slurm still remembers after they ended, for its
 * {@code MinJobAge}); not from {@code sacct}, which needs accounting many clusters do not run.
 */
public final class SlurmQueue {
    /**
     * One array task.
     *
     * @param state  Slurm's job state, e.g. PENDING, RUNNING, COMPLETED, FAILED
     * @param reason Slurm's reason or exit code, may be empty
     * @param alive  still in the queue (it may yet write its shard)
     */
    public record Task(String state, String reason, boolean alive) {}

    private static final Pattern TASK = Pattern.compile("ArrayTaskId=([0-9,\\-]+)");
    private static final Pattern STATE = Pattern.compile("JobState=(\\S+)");
    private static final Pattern EXIT = Pattern.compile("ExitCode=(\\S+)");
    private static final Pattern REASON = Pattern.compile("Reason=(\\S+)");

    private SlurmQueue() {}

    /** The tasks of array job {@code jobId} that Slurm knows, by task id. */
    public static Map<Integer, Task> tasks(String jobId) {
        Map<Integer, Task> out = new LinkedHashMap<>();
        Processes.Result q = Processes.run(List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%i|%T|%r"), 60);
        if (q.exit() == 0) out.putAll(parseSqueue(q.out(), jobId));
        else if (!q.err().contains("Invalid job id")) throw new paligemma4j.eval.EvalException("squeue -j " + jobId + " failed: " + q.firstErrorLine());
        Processes.Result c = Processes.run(List.of("scontrol", "-o", "show", "job", jobId), 60);
        if (c.exit() == 0) {
            parseScontrol(c.out()).forEach(out::putIfAbsent);
        }
        return out;
    }

    /** {@code squeue -r -o "%i|%T|%r"} lines ({@code JOB_K|STATE|REASON}): every listed task is alive. */
    static Map<Integer, Task> parseSqueue(String text, String jobId) {
        Map<Integer, Task> out = new LinkedHashMap<>();
        for (String line : text.strip().lines().toList()) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 2 || !f[0].startsWith(jobId + "_")) continue;
            String task = f[0].substring(jobId.length() + 1);
            if (!task.matches("\\d+")) continue;                  // an unexpanded range: squeue -r lists each
            String reason = f.length > 2 && !f[2].equals("None") ? f[2] : "";
            out.put(Integer.parseInt(task), new Task(f[1], reason, true));
        }
        return out;
    }

    /**
     * {@code scontrol -o show job} lines, one per task: alive unless the state is final. A requeued task
     * shows as PENDING or REQUEUED again, so it stays alive.
     */
    static Map<Integer, Task> parseScontrol(String text) {
        Map<Integer, Task> out = new LinkedHashMap<>();
        for (String line : text.strip().lines().toList()) {
            Matcher t = TASK.matcher(line), s = STATE.matcher(line);
            if (!t.find() || !s.find()) continue;
            Matcher e = EXIT.matcher(line), r = REASON.matcher(line);
            String state = s.group(1);
            String reason = (r.find() && !r.group(1).equals("None") ? r.group(1) + " " : "") + (e.find() ? "exit " + e.group(1) : "");
            Task task = new Task(state, reason.strip(), !FINAL.contains(state));
            for (int k : taskIds(t.group(1))) out.put(k, task);
        }
        return out;
    }

    /** {@code 3}, or a not yet split range such as {@code 0-2,5} (a throttle {@code %N} is not part of the match). */
    static List<Integer> taskIds(String spec) {
        List<Integer> ids = new java.util.ArrayList<>();
        for (String part : spec.split(",")) {
            if (part.isEmpty()) continue;
            String[] ab = part.split("-", -1);
            try {
                int a = Integer.parseInt(ab[0]), b = ab.length > 1 ? Integer.parseInt(ab[1]) : a;
                for (int k = a; k <= b && ids.size() < 1_000_000; k++) ids.add(k);
            } catch (NumberFormatException e) {
                // not a task list
            }
        }
        return ids;
    }

    private static final List<String> FINAL = List.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
            "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT", "REVOKED");
}
