package paligemma4j.eval.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.eval.EvalException;

/** The array script's text, sbatch argument splitting and reading squeue / scontrol output. */
class SlurmTest {
    @Test
    void scriptRunsTaskKAsShardKWithResumeAndTheUsersOptions(@TempDir Path tmp) throws Exception {
        ShardPlan plan = new ShardPlan(3, List.of("pope", "--data", "/d/pope", "--split", "popular"), "/repo/scripts/paligemma", List.of());
        Path script = SlurmArray.write(tmp, plan, Shell.split("-p gpu --gres=gpu:1 --time 2:00:00 --comment 'a b'"), false, "pope popular");
        assertThat(script).isEqualTo(tmp.resolve("eval-shards.sbatch"));
        assertThat(Files.isExecutable(script)).isTrue();
        List<String> lines = Files.readAllLines(script);
        assertThat(lines.get(0)).isEqualTo("#!/bin/bash");
        assertThat(lines).contains("#SBATCH --array=0-2", "#SBATCH --requeue", "#SBATCH --open-mode=append",
                "#SBATCH --output=" + tmp + "/shard-%a/slurm-%A_%a.out", "#SBATCH -p gpu", "#SBATCH --gres=gpu:1",
                "#SBATCH --time 2:00:00", "#SBATCH --comment 'a b'", "#SBATCH --job-name=paligemma-eval-pope");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("exec /repo/scripts/paligemma eval pope --data /d/pope --split popular"
                + " --threads \"${SLURM_CPUS_PER_TASK:-$(nproc)}\" --progress lines --out \"" + tmp + "/shard-$K\" --shard \"$K/3\" --resume");
        assertThat(String.join("\n", lines)).contains("K=\"${SLURM_ARRAY_TASK_ID:-${1:-}}\"");
    }

    @Test
    void sbatchArgsSplitLikeAShell() {
        assertThat(Shell.split("  --gres=gpu:1  -p 'long queue' --x=\"a b\" c\\ d ")).containsExactly("--gres=gpu:1", "-p", "long queue",
                "--x=a b", "c d");
        assertThat(SlurmArray.directives(Shell.split("--gres=gpu:1 -p gpu"))).containsExactly("--gres=gpu:1", "-p gpu");
        assertThatThrownBy(() -> Shell.split("-p 'gpu")).isInstanceOf(EvalException.class).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> SlurmArray.directives(List.of("gpu"))).hasMessageContaining("expected sbatch options");
        assertThat(Shell.join(List.of("a", "b c", "it's", ""))).isEqualTo("a 'b c' 'it'\\''s' ''");
    }

    @Test
    void squeueListsLiveTasksAndScontrolTheEndedOnes() {
        Map<Integer, SlurmQueue.Task> q = SlurmQueue.parseSqueue("12_0|RUNNING|None\n12_2|PENDING|Resources\n13_0|RUNNING|None\n", "12");
        assertThat(q).containsOnlyKeys(0, 2);
        assertThat(q.get(0)).isEqualTo(new SlurmQueue.Task("RUNNING", "", true));
        assertThat(q.get(2)).isEqualTo(new SlurmQueue.Task("PENDING", "Resources", true));
        Map<Integer, SlurmQueue.Task> c = SlurmQueue.parseScontrol(
                "JobId=14 ArrayJobId=12 ArrayTaskId=1 JobName=x JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=1:0 Foo=1\n"
                + "JobId=12 ArrayJobId=12 ArrayTaskId=3-4 JobName=x JobState=CANCELLED Reason=None ExitCode=0:0\n"
                + "JobId=15 ArrayJobId=12 ArrayTaskId=5 JobName=x JobState=REQUEUED Reason=BeginTime ExitCode=0:0\n");
        assertThat(c.get(1)).isEqualTo(new SlurmQueue.Task("FAILED", "NonZeroExitCode exit 1:0", false));
        assertThat(c.get(3).state()).isEqualTo("CANCELLED");
        assertThat(c.get(4).alive()).isFalse();
        assertThat(c.get(5).alive()).isTrue();
        assertThat(SlurmQueue.taskIds("0-2,7")).containsExactly(0, 1, 2, 7);
    }
}
