package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Large off-heap buffers for weights made at load time (Q8_0, transposed or re-blocked copies), zero
 * pages until first written. {@link Arena#allocate} zeroes every byte on the calling thread before
 * returning; for a weight that is then written in full by parallel tasks, that pass alone took about as
 * long as quantizing (docs/performance.md#loading). Here a large buffer is an anonymous private
 * {@code mmap(2)}: the kernel supplies zeroed pages as the writing threads first touch them,
 * {@code madvise(MADV_HUGEPAGE)} asks for 2 MiB pages (fewer faults and TLB misses where transparent
 * huge pages are enabled per mapping), and {@code munmap} runs when the arena closes. Elsewhere (not
 * Linux, no such function, a failed call, or a small buffer) it is {@code arena.allocate}. The contents
 * are zero either way.
 */
public final class LazyMemory {
    private LazyMemory() {}

    /** Below this size the arena allocates (and zeroes): a few pages cost less than a system call. */
    static final long MIN_MAPPED = 1L << 20;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MADV_HUGEPAGE = 14;
    /** mmap, munmap and madvise of the C library, or null where they are not used. */
    private static final MethodHandle MMAP, MUNMAP, MADVISE;

    static {
        MethodHandle mmap = null, munmap = null, madvise = null;
        if (System.getProperty("os.name", "").equals("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                mmap = linker.downcallHandle(lookup.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(lookup.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(lookup.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException | LinkageError unavailable) {
                mmap = null;       // no native access (or no such symbol): Arena.allocate
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    /** {@code bytes} zero bytes, 64-byte aligned at least, living as long as {@code arena}. */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (MMAP == null || bytes < MIN_MAPPED) return arena.allocate(bytes, 64);
        MemorySegment mapped;
        try {
            mapped = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            return arena.allocate(bytes, 64);
        }
        if (mapped.address() == -1L) return arena.allocate(bytes, 64);      // MAP_FAILED, e.g. ENOMEM
        long address = mapped.address();
        try {
            int ignored = (int) MADVISE.invokeExact(mapped, bytes, MADV_HUGEPAGE);   // advisory
        } catch (Throwable e) {
            // the pages stay 4 KiB
        }
        return mapped.reinterpret(bytes, arena, s -> unmap(address, bytes));
    }

    /** Whether {@link #allocate} maps large buffers here (Linux with native access), for the tests. */
    static boolean maps() {
        return MMAP != null;
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable e) {
            // nothing to do: the address space stays reserved until the process ends
        }
    }
}
