package paligemma4j.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Checkpoint} whose tensors live in one {@link Arena}: slices of the file's single
 * read-only mapping (zero copy) and, for DEFLATED or chunked members, off-heap copies.
 * Closing the arena unmaps the file and frees the copies.
 */
final class MappedCheckpoint implements Checkpoint {
    private final Path file;
    private final String format;
    private final Map<String, Tensor> tensors;
    private final Arena arena;
    /** The file's mapping (null until {@link #mapped}). */
    private MemorySegment mapping;
    /** Locking the mapping in memory ({@link MemoryLock}), if that was asked for. */
    private MemoryLock lock;

    MappedCheckpoint(Path file, String format, LinkedHashMap<String, Tensor> tensors, Arena arena) {
        this.file = file;
        this.format = format;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.arena = arena;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The mapping the tensors are slices of; with {@code lock}, locked in memory from a background thread. */
    void mapped(MemorySegment mapping, boolean lock) {
        this.mapping = mapping;
        if (lock) this.lock = MemoryLock.lockInBackground(file, mapping);
    }

    /**
     * Drops the whole pages inside {@code part} from this process and leaves them out of the memory lock;
     * nothing for data outside the mapping (inflated members, copies).
     */
    @Override
    public void release(MemorySegment part) {
        if (mapping == null || !arena.scope().isAlive()) return;
        long base = mapping.address(), start = part.address(), end = start + part.byteSize();
        if (start < base || end > base + mapping.byteSize()) return;
        long a = (start + PAGE - 1) / PAGE * PAGE - base, b = end / PAGE * PAGE - base;   // whole pages inside
        if (a >= b) return;
        if (lock != null) lock.exclude(a, b);
        MemoryLock.dropPages(mapping.asSlice(a, b - a));
    }

    /** Page size for {@link #release} (4 KiB on x86-64 Linux; a larger page only makes the advice fail, harmlessly). */
    private static final long PAGE = 4096;

    @Override
    public void close() {
        if (lock != null) lock.join();         // the mapping must outlive the mlock calls that read it
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return format + " checkpoint " + file + " (" + tensors.size() + " tensors)";
    }
}
