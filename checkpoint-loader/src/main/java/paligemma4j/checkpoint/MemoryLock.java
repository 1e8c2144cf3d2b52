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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 *
 * <p>The lock goes {@link #CHUNK} bytes per call, leaving out the ranges {@link #exclude}d meanwhile
 * (tensors the model keeps a copy of and {@link Checkpoint#release}s): those are unlocked if already
 * locked, and never locked afterwards.
 */
final class MemoryLock {
    static final String PROPERTY = "paligemma4j.lockWeights";
    /** Bytes per {@code mlock} call: between calls, released ranges are left out. */
    static final long CHUNK = 64L << 20;
    /** {@code madvise} advice: drop the pages from this process (file pages stay in the page cache). */
    private static final int MADV_DONTNEED = 4;

    private final Path file;
    private final MemorySegment data;
    /** Excluded {@code [from, to)} byte offsets into {@link #data}. */
    private final List<long[]> excluded = new ArrayList<>();
    private Thread thread;

    private MemoryLock(Path file, MemorySegment data) {
        this.file = file;
        this.data = data;
    }

    static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Starts locking {@code data} (the mapping of {@code file}) on a daemon thread; {@link #join} it before unmapping. */
    static MemoryLock lockInBackground(Path file, MemorySegment data) {
        MemoryLock l = new MemoryLock(file, data);
        l.thread = Thread.ofPlatform().daemon().name("paligemma4j-lock-weights").start(l::lockAll);
        return l;
    }

    /** Waits for the locking thread (the mapping must outlive its calls). */
    void join() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Leaves bytes [from, to) of the mapping out of the lock: unlocked now if locked, never locked later. */
    synchronized void exclude(long from, long to) {
        excluded.add(new long[] {from, to});
        call("munlock", data.asSlice(from, to - from));
    }

    private void lockAll() {
        for (long at = 0; at < data.byteSize(); at += CHUNK) {
            String error = lockChunk(at, Math.min(data.byteSize(), at + CHUNK));
            if (error != null) {
                System.err.printf("paligemma4j: could not lock %s (%.2f GB) in memory: %s; the weights stay mapped%n",
                        file, data.byteSize() / 1e9, error);
                return;
            }
        }
    }

    /** Locks [from, to) less the excluded ranges: null when it worked, else why not. */
    private synchronized String lockChunk(long from, long to) {
        List<long[]> cuts = new ArrayList<>();
        for (long[] e : excluded) {
            if (e[1] > from && e[0] < to) cuts.add(e);
        }
        cuts.sort(Comparator.comparingLong(e -> e[0]));
        long at = from;
        for (long[] e : cuts) {
            if (e[0] > at) {
                String error = lock(data.asSlice(at, e[0] - at));
                if (error != null) return error;
            }
            at = Math.max(at, e[1]);
        }
        return at < to ? lock(data.asSlice(at, to - at)) : null;
    }

    /** {@code mlock} of the whole segment: null when it worked, else why not. */
    static String lock(MemorySegment data) {
        int errno = call("mlock", data);
        return switch (errno) {
            case 0 -> null;
            case -1 -> "this platform's C library has no mlock";
            case 12 -> "mlock: ENOMEM, more than RLIMIT_MEMLOCK allows (ulimit -l; CAP_IPC_LOCK lifts the limit)";
            case 1 -> "mlock: EPERM, not permitted";
            case 11 -> "mlock: EAGAIN, some pages could not be locked";
            default -> "mlock: errno " + errno;
        };
    }

    /**
     * Drops the pages of {@code part} from this process ({@code madvise(MADV_DONTNEED)}; a mapped file's pages
     * stay in the page cache, and reading them again faults them back in). Advisory: errors are ignored.
     */
    static void dropPages(MemorySegment part) {
        call("madvise", part, MADV_DONTNEED);
    }

    /**
     * {@code function(address, length[, advice])} of the C library: 0 when it returned 0, its errno when it
     * failed, −1 when the library has no such function or the call could not be made.
     */
    private static int call(String function, MemorySegment part, int... advice) {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> symbol = linker.defaultLookup().find(function);
        if (symbol.isEmpty()) {
            return -1;
        }
        StructLayout state = Linker.Option.captureStateLayout();
        FunctionDescriptor descriptor = advice.length == 0
                ? FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)
                : FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
        MethodHandle handle = linker.downcallHandle(symbol.get(), descriptor, Linker.Option.captureCallState("errno"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment captured = arena.allocate(state);
            int result = advice.length == 0
                    ? (int) handle.invokeExact(captured, part, part.byteSize())
                    : (int) handle.invokeExact(captured, part, part.byteSize(), advice[0]);
            return result == 0 ? 0 : (int) state.varHandle(MemoryLayout.PathElement.groupElement("errno")).get(captured, 0L);
        } catch (Throwable e) {
            return -1;
        }
    }
}
