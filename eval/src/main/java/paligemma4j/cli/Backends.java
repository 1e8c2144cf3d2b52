package paligemma4j.cli;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.Ops;

/**
 * The {@code --backend} choice: {@code jvm} ({@link JvmOps}) or {@code tornadovm} (TornadoOps, found by
 * class name because it is compiled only in a TornadoVM build: profile {@code tornadovm}, see
 * docs/tornadovm.md). Every failure is one line.
 */
final class Backends {

    static final String TORNADO_ENTRY = "paligemma4j.kernels.tornado.TornadoBackend";

    private Backends() {
    }

    /** The backend's {@link Ops}; {@code device} (−1 = default) only applies to tornadovm. */
    static Ops open(String backend, int threads, int device) {
        if (backend.equals("jvm")) return new JvmOps(threads);
        return (Ops) callTornado("open", device);
    }

    /** TornadoVM's devices, one line each ({@code N  backend  name}). */
    @SuppressWarnings("unchecked")
    static List<String> tornadoDevices() {
        return (List<String>) callTornado("devices", null);
    }

    /** Copy bandwidth of TornadoVM device {@code device} (−1 = default) in GB/s, over {@code megabytes} MiB. */
    static double tornadoBandwidth(int device, int megabytes) {
        return (Double) callTornado("bandwidth", device, megabytes);
    }

    private static Object callTornado(String method, Integer device) {
        return callTornado(method, device, null);
    }

    private static Object callTornado(String method, Integer device, Integer megabytes) {
        Class<?> entry;
        try {
            entry = Class.forName(TORNADO_ENTRY);
        } catch (ClassNotFoundException e) {
            throw new UsageException("--backend tornadovm: this build has no TornadoVM backend; set TORNADOVM_HOME to a "
                    + "TornadoVM SDK and run scripts/paligemma again (docs/tornadovm.md)");
        }
        try {
            if (megabytes != null) return entry.getMethod(method, int.class, int.class).invoke(null, device, megabytes);
            return device == null ? entry.getMethod(method).invoke(null)
                    : entry.getMethod(method, int.class).invoke(null, device);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoClassDefFoundError) {
                throw new UsageException("--backend tornadovm: the TornadoVM runtime is not loaded; run through "
                        + "scripts/paligemma, which adds the SDK's JVM flags (" + cause.getMessage() + ")");
            }
            throw new UsageException("--backend tornadovm: " + cause.getMessage());
        } catch (NoClassDefFoundError e) {
            throw new UsageException("--backend tornadovm: the TornadoVM runtime is not loaded; run through "
                    + "scripts/paligemma, which adds the SDK's JVM flags (" + e.getMessage() + ")");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(TORNADO_ENTRY + "." + method + ": " + e);
        }
    }
}
