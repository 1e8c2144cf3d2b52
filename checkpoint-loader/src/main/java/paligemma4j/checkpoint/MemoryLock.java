package paligemma4j.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Optional pinning of a checkpoint's mapping in RAM with {@code mlock(2)}, asked for with
 * {@code -Dpaligemma4j.lockWeights=true} ({@code PALIGEMMA_LOCK_WEIGHTS=1 scripts/paligemma …}).
 *
 * <p>A mapped weight that a forward pass touches in one short burst (the vision tower's, once per
 * image) looks cold to a kernel that reclaims idle page-cache pages proactively (DAMON {@code pageout}
 * schemes on some VMs), and is then read back from disk inside the next forward pass. Locked pages are
 * never paged out. Locking reads the whole file in, so it runs on a daemon thread: opening stays
 * instant, and the pages are locked while the first stages run. It needs the {@code CAP_IPC_LOCK}
 * capability or an {@code RLIMIT_MEMLOCK} ({@code ulimit -l}) above the file's size; when the call
 * fails, one line on stderr says why and the weights stay mapped as usual.
 */
final class MemoryLock {
    static final String PROPERTY = "paligemma4j.lockWeights";

    private MemoryLock() {}

    static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Starts locking {@code data} (the mapping of {@code file}) on a daemon thread; join it before unmapping. */
    static Thread lockInBackground(Path file, MemorySegment data) {
        Thread t = Thread.ofPlatform().daemon().name("paligemma4j-lock-weights").start(() -> {
            String error = lock(data);
            if (error != null) {
                System.err.printf("paligemma4j: could not lock %s (%.2f GB) in memory: %s; the weights stay mapped%n",
                        file, data.byteSize() / 1e9, error);
            }
        });
        return t;
    }

    /** {@code mlock} of the whole segment: null when it worked, else why not. */
    static String lock(MemorySegment data) {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> mlock = linker.defaultLookup().find("mlock");
        if (mlock.isEmpty()) {
            return "this platform's C library has no mlock";
        }
        StructLayout state = Linker.Option.captureStateLayout();
        MethodHandle call = linker.downcallHandle(mlock.get(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment captured = arena.allocate(state);
            int result = (int) call.invokeExact(captured, data, data.byteSize());
            if (result == 0) {
                return null;
            }
            int errno = (int) state.varHandle(MemoryLayout.PathElement.groupElement("errno")).get(captured, 0L);
            return switch (errno) {
                case 12 -> "mlock: ENOMEM, more than RLIMIT_MEMLOCK allows (ulimit -l; CAP_IPC_LOCK lifts the limit)";
                case 1 -> "mlock: EPERM, not permitted";
                case 11 -> "mlock: EAGAIN, some pages could not be locked";
                default -> "mlock: errno " + errno;
            };
        } catch (Throwable e) {
            return "mlock: " + e;
        }
    }
}
