package paligemma4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code paligemma bench --jmh [FILTER]}: runs {@code jmh/target/benchmarks.jar} (the JMH
 * benchmarks of every kernel, module {@code jmh/}) with the project's JVM flags, building it with
 * Maven first if it is missing. The repository root is found from where this class was loaded
 * ({@code ROOT/eval/target/…}).
 */
final class JmhLauncher {
    private JmhLauncher() {}

    static int run(String[] jmhArgs, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        Path root = repositoryRoot();
        Path jar = root.resolve("jmh/target/benchmarks.jar");
        if (!Files.isRegularFile(jar)) {
            err.println("bench: building " + root.relativize(jar) + " (mvn -pl jmh -am package)...");
            int rc = exec(List.of("mvn", "-q", "-B", "-o", "-DskipTests", "-pl", "jmh", "-am", "package"), root, out, err);
            if (rc != 0) rc = exec(List.of("mvn", "-q", "-B", "-DskipTests", "-pl", "jmh", "-am", "package"), root, out, err);
            if (rc != 0 || !Files.isRegularFile(jar)) {
                throw new IllegalStateException("could not build " + jar + " (run: mvn -pl jmh -am package)");
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-jar", jar.toString()));
        // the benchmark forks get this JVM's vector-width choice (the launcher's -XX:UseAVX=3 on AVX-512 CPUs)
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:UseAVX=")).findFirst()
                .ifPresent(a -> cmd.addAll(List.of("-jvmArgsPrepend", a)));
        cmd.addAll(List.of(jmhArgs));
        return exec(cmd, root, out, err);
    }

    /** ROOT for classes loaded from ROOT/eval/target/eval.jar or ROOT/eval/target/classes. */
    static Path repositoryRoot() {
        try {
            Path where = Path.of(JmhLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = where.toAbsolutePath().getParent().getParent().getParent();
            if (!Files.isRegularFile(root.resolve("jmh/pom.xml"))) {
                throw new IllegalStateException("bench --jmh: no jmh/pom.xml under " + root
                        + " (run from a paligemma4j checkout)");
            }
            return root;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("bench --jmh: cannot locate the repository: " + e.getMessage());
        }
    }

    private static int exec(List<String> cmd, Path dir, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        }
        return p.waitFor();
    }
}
