package paligemma4j.eval.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import paligemma4j.eval.EvalException;

/**
 * An OS lock on {@code RUN_DIR/.lock} for the duration of a run, so two processes never append to
 * the same predictions file. The OS drops it when the process dies, so a killed run never leaves a
 * stale lock behind.
 */
final class RunLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static RunLock acquire(Path runDir) {
        Path file = runDir.resolve(".lock");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) throw new OverlappingFileLockException();
            return new RunLock(ch, l);
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw new EvalException(runDir + " is in use by another eval run (" + file + " is locked)");
        } catch (IOException e) {
            closeQuietly(ch);
            throw new EvalException(file + ": cannot lock the run directory: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
