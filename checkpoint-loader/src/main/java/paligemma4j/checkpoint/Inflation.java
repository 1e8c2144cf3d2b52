package paligemma4j.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a raw DEFLATE stream (a ZIP member) from one memory segment into a new off-heap
 * segment, streaming through windows of at most {@link #WINDOW} bytes so that members over
 * 2 GB never pass through a Java array or a single {@link ByteBuffer}.
 */
final class Inflation {
    static final long WINDOW = 1L << 30;

    private Inflation() {}

    /**
     * The {@code size} inflated bytes of {@code compressed}, allocated in {@code arena}; checks the
     * length and the CRC-32. {@code where} ("file: member") prefixes every error.
     */
    static MemorySegment inflate(MemorySegment compressed, long size, int crc32, Arena arena, String where) {
        return inflate(compressed, size, crc32, arena, where, WINDOW);
    }

    /** {@link #inflate(MemorySegment, long, int, Arena, String)} with a chosen window size (tests use small ones). */
    static MemorySegment inflate(MemorySegment compressed, long size, int crc32, Arena arena, String where, long window) {
        // DEFLATE expands at most ~1032:1; anything more is a damaged directory, not a reason to allocate
        if (size < 0 || size > compressed.byteSize() * 1032 + 1024) {
            throw new CheckpointException(where + ": ZIP directory records " + size + " uncompressed bytes for "
                    + compressed.byteSize() + " compressed: damaged central directory");
        }
        MemorySegment out = arena.allocate(Math.max(size, 1), 64).asSlice(0, size);
        Inflater inflater = new Inflater(true);
        CRC32 crc = new CRC32();
        try {
            long in = 0;
            long produced = 0;
            while (!inflater.finished()) {
                if (produced == size) {
                    // all bytes are out: the stream must end here (possibly after empty blocks)
                    if (inflater.inflate(new byte[1]) > 0) {
                        throw new CheckpointException(where + ": member inflates to more than the " + size
                                + " bytes the ZIP directory records");
                    }
                    if (inflater.finished()) break;
                    if (!inflater.needsInput() || in >= compressed.byteSize()) {
                        throw new CheckpointException(where + ": DEFLATE stream not terminated after " + size
                                + " bytes: truncated member");
                    }
                }
                if (inflater.needsInput()) {
                    if (in >= compressed.byteSize()) {
                        throw new CheckpointException(where + ": DEFLATE stream ends after " + produced + " of "
                                + size + " bytes: truncated member");
                    }
                    long len = Math.min(window, compressed.byteSize() - in);
                    inflater.setInput(compressed.asSlice(in, len).asByteBuffer());
                    in += len;
                }
                if (inflater.needsDictionary()) {
                    throw new CheckpointException(where + ": DEFLATE stream needs a preset dictionary: not a ZIP member");
                }
                if (produced == size) continue;
                ByteBuffer dst = out.asSlice(produced, Math.min(window, size - produced)).asByteBuffer();
                int n = inflater.inflate(dst);
                if (n > 0) {
                    dst.flip();
                    crc.update(dst);
                    produced += n;
                }
            }
            if (produced != size) {
                throw new CheckpointException(where + ": member inflates to " + produced + " bytes, the ZIP directory records "
                        + size);
            }
            if ((int) crc.getValue() != crc32) {
                throw new CheckpointException(String.format("%s: CRC-32 of the inflated member is %08x, the ZIP directory records %08x: damaged data",
                        where, (int) crc.getValue(), crc32));
            }
            return out;
        } catch (DataFormatException e) {
            throw new CheckpointException(where + ": corrupt DEFLATE data (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
    }
}
