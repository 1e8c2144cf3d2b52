package paligemma4j.jmh;

import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.Ops;

/** Builds the backend a benchmark's {@code impl} parameter names: {@code jvm} (Vector API) or {@code naive} (scalar). */
final class OpsChoice {
    private OpsChoice() {}

    /** @param threads JvmOps threads; 0 = every core the JVM sees */
    static Ops of(String impl, int threads) {
        return switch (impl) {
            case "jvm" -> threads == 0 ? new JvmOps() : new JvmOps(threads);
            case "naive" -> new NaiveOps();
            default -> throw new IllegalArgumentException("impl must be jvm or naive, got '" + impl + "'");
        };
    }

    static void close(Ops ops) {
        if (ops instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
