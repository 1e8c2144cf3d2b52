package paligemma4j.checkpoint;

import java.lang.foreign.Arena;
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
    /** The thread locking the mapping in memory ({@link MemoryLock}), if one was asked for. */
    private Thread locker;

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

    void lockedBy(Thread locker) {
        this.locker = locker;
    }

    @Override
    public void close() {
        if (locker != null) {                  // the mapping must outlive the mlock call that reads it
            boolean interrupted = false;
            while (locker.isAlive()) {
                try {
                    locker.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return format + " checkpoint " + file + " (" + tensors.size() + " tensors)";
    }
}
