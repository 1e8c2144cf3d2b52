package paligemma4j.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Puts the caller's stderr back on file descriptor 2. The launcher starts the JVM with fd 2 in a file (to
 * drop the JVM's incubator-module warning, printed before {@code main}) and the real stderr on the fd named
 * by {@code -Dpaligemma4j.stderrFd=N}; {@code dup2(N, 2)} then makes every later write, ours and the JVM's,
 * go straight to it, in order.
 */
final class StderrFd {
    static final String PROPERTY = "paligemma4j.stderrFd";

    private StderrFd() {}

    /** Does the {@code dup2}, if the launcher asked for it; false if it could not (stderr stays as it is). */
    static boolean restore() {
        String fd = System.getProperty(PROPERTY);
        if (fd == null || fd.isEmpty()) return false;
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) dup2.invokeExact(Integer.parseInt(fd), 2) == 2;
        } catch (Throwable e) {
            return false;
        }
    }
}
