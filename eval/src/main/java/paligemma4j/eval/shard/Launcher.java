package paligemma4j.eval.shard;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import paligemma4j.eval.EvalException;

/**
 * The absolute path of {@code scripts/paligemma}, which the shard commands and the Slurm script run:
 * {@code $PALIGEMMA_LAUNCHER} if set, else the first {@code scripts/paligemma} above the running
 * jar or classes directory (the checkout this program was built from).
 */
public final class Launcher {
    private Launcher() {}

    public static Path path() {
        String env = System.getenv("PALIGEMMA_LAUNCHER");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).toAbsolutePath();
            if (!Files.isExecutable(p)) throw new EvalException("PALIGEMMA_LAUNCHER=" + env + ": not an executable file");
            return p;
        }
        try {
            Path p = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            for (; p != null; p = p.getParent()) {
                Path candidate = p.resolve("scripts").resolve("paligemma");
                if (Files.isExecutable(candidate)) return candidate;
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // reported below
        }
        throw new EvalException("cannot find scripts/paligemma above this program's jar; set PALIGEMMA_LAUNCHER to its path");
    }
}
