package paligemma4j.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Opens a checkpoint: maps the whole file once, read-only, into a shared {@link Arena} (so the
 * tensor views can be read from any thread and may exceed 2 GB), then picks the reader by the
 * first bytes and their structure: a ZIP signature means {@code .npz}, a msgpack map with a string key
 * means Flax msgpack; a safetensors file goes to {@link SafetensorsReader}; anything else is
 * named ("looks like a PNG image").
 */
final class CheckpointFiles {
    static final String PARAMS_PREFIX = "params/";

    private CheckpointFiles() {}

    static Checkpoint open(Path file) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new CheckpointException(name + ": is a directory, expected a .npz or Flax msgpack file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new CheckpointException(name + ": not a regular file (a device, pipe or socket), expected a .npz or Flax msgpack file");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment data;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            if (SafetensorsReader.looksLike(data)) {             // a safetensors file under another name
                arena.close();
                return SafetensorsReader.open(file);
            }
            Checkpoint c = read(file, data, arena);
            if (c instanceof MappedCheckpoint m) {
                m.mapped(data, MemoryLock.requested());
            }
            return c;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CheckpointException(name + ": no such file", e);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(name + ": cannot read (" + e + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Reads a checkpoint held in {@code data} (normally the file mapping; tests pass heap bytes). */
    static Checkpoint read(Path file, MemorySegment data, Arena arena) {
        long n = data.byteSize();
        if (n == 0) throw new CheckpointException(file + ": empty file, expected a .npz or Flax msgpack checkpoint");
        byte[] head = data.asSlice(0, Math.min(64, n)).toArray(ValueLayout.JAVA_BYTE);
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            return NpzReader.read(file, data, arena);
        }
        if (SafetensorsReader.looksLike(data)) {
            int tensors = SafetensorsReader.read(file, data, arena).tensors().size();   // checks the header
            throw new CheckpointException(file + ": a Hugging Face safetensors checkpoint (" + tensors
                    + " tensors): open it with Checkpoint.open, which maps it with its own reader");
        }
        if (looksLikeMsgpackMap(head)) {
            return MsgpackReader.read(file, data, arena);
        }
        throw new CheckpointException(file + ": not a checkpoint: looks like " + FileSignature.describe(head)
                + "; expected a ZIP/.npz (first bytes 50 4b 03 04), a Flax msgpack map or a safetensors file, found "
                + FileSignature.hex(head, 4));
    }

    /**
     * A msgpack map whose first key is a string, as every Flax checkpoint starts: the map marker alone also
     * matches other files (a PNG's first byte 0x89 is a 9-entry fixmap).
     */
    static boolean looksLikeMsgpackMap(byte[] head) {
        int b = head[0] & 0xFF;
        int keyAt;
        if (b == 0x80) return head.length == 1;
        if (b > 0x80 && b <= 0x8F) keyAt = 1;
        else if (b == 0xDE) keyAt = 3;
        else if (b == 0xDF) keyAt = 5;
        else return false;
        if (keyAt >= head.length) return false;
        int k = head[keyAt] & 0xFF;
        return (k >= 0xA0 && k <= 0xBF) || k == 0xD9 || k == 0xDA || k == 0xDB;
    }

    /** Drops one leading {@code params/}. */
    static String stripParams(String key) {
        return key.startsWith(PARAMS_PREFIX) ? key.substring(PARAMS_PREFIX.length()) : key;
    }

    /** Bytes of a {@code dtype} array of {@code shape}; a {@link CheckpointException} if that overflows a long. */
    static long byteSize(DType dtype, long[] shape, String where) {
        try {
            return Math.multiplyExact(Tensor.numElements(shape), dtype.bytes);
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + describe(dtype, shape) + " is too large (over 2^63 bytes)");
        }
    }

    /** e.g. {@code float32[2, 3]}. */
    static String describe(DType dtype, long[] shape) {
        return dtype.jsonName + Arrays.toString(shape);
    }
}
