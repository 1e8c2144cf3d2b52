package paligemma4j.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The central directory of a ZIP archive read from a memory-mapped file: end-of-central-directory
 * record, ZIP64 locator and record, central entries with their ZIP64 extra fields, and each
 * member's local header (to find where its data starts). Every offset is checked against the
 * file size, so a truncated or damaged file gives a {@link CheckpointException}, never an
 * out-of-bounds error.
 */
final class ZipDirectory {

    static final int LOCAL_HEADER = 0x04034B50;
    static final int CENTRAL_HEADER = 0x02014B50;
    static final int END_RECORD = 0x06054B50;
    static final int ZIP64_END_RECORD = 0x06064B50;
    static final int ZIP64_LOCATOR = 0x07064B50;
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long MAX_COMMENT = 0xFFFF;

    /**
     * One archive member.
     *
     * @param name             member name as stored, e.g. {@code params/img/embedding/kernel.npy}
     * @param method           {@link #STORED} or {@link #DEFLATED}
     * @param crc32            CRC-32 of the uncompressed bytes
     * @param compressedSize   bytes in the file
     * @param uncompressedSize bytes after inflation
     * @param dataOffset       file offset of the member's (compressed) bytes
     */
    record Entry(String name, int method, int crc32, long compressedSize, long uncompressedSize, long dataOffset) {}

    private final String file;
    private final MemorySegment zip;

    private ZipDirectory(String file, MemorySegment zip) {
        this.file = file;
        this.zip = zip;
    }

    /** All members of the archive mapped in {@code zip}, in central-directory order. */
    static List<Entry> read(String file, MemorySegment zip) {
        return new ZipDirectory(file, zip).entries();
    }

    private List<Entry> entries() {
        long size = zip.byteSize();
        long eocd = findEndRecord();
        long count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);
        long locator = eocd - 20;
        if (locator >= 0 && u32(locator) == ZIP64_LOCATOR) {
            long record = u64(locator + 8);
            if (record < 0 || record + 56 > size || u32(record) != ZIP64_END_RECORD) {
                throw error("ZIP64 end-of-central-directory record expected at offset " + record
                        + " (file size " + size + "): damaged or truncated file");
            }
            count = u64(record + 32);
            cdSize = u64(record + 40);
            cdOffset = u64(record + 48);
        } else if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            throw error("end-of-central-directory record says ZIP64 but the ZIP64 locator is missing: damaged file");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocd) {
            throw error("central directory at offset " + cdOffset + " with " + cdSize
                    + " bytes does not fit before the end record at " + eocd + ": damaged or truncated file");
        }
        List<Entry> out = new ArrayList<>();
        long p = cdOffset;
        long end = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p + 46 > end) {
                throw error("central directory entry " + i + " of " + count + " runs past the directory end: damaged central directory");
            }
            int sig = (int) u32(p);
            if (sig != CENTRAL_HEADER) {
                throw error(String.format("central directory entry %d at offset %d: expected signature 0x%08x, found 0x%08x: damaged central directory",
                        i, p, CENTRAL_HEADER, sig));
            }
            int flags = (int) u16(p + 8);
            int method = (int) u16(p + 10);
            int crc = (int) u32(p + 16);
            long csize = u32(p + 20);
            long usize = u32(p + 24);
            int nameLen = (int) u16(p + 28);
            int extraLen = (int) u16(p + 30);
            int commentLen = (int) u16(p + 32);
            long local = u32(p + 42);
            long next = p + 46 + nameLen + extraLen + commentLen;
            if (next > end) {
                throw error("central directory entry " + i + " runs past the directory end: damaged central directory");
            }
            String name = new String(zip.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // ZIP64 extra field: the 64-bit values of exactly those fields that hold 0xFFFFFFFF, in this order
            long q = p + 46 + nameLen;
            long qEnd = q + extraLen;
            while (q + 4 <= qEnd) {
                int id = (int) u16(q);
                int len = (int) u16(q + 2);
                if (q + 4 + len > qEnd) break;
                if (id == 0x0001) {
                    long r = q + 4;
                    if (usize == 0xFFFFFFFFL) { usize = need64(r, q + 4 + len, name); r += 8; }
                    if (csize == 0xFFFFFFFFL) { csize = need64(r, q + 4 + len, name); r += 8; }
                    if (local == 0xFFFFFFFFL) { local = need64(r, q + 4 + len, name); }
                }
                q += 4 + len;
            }
            p = next;
            if (name.endsWith("/")) continue; // a directory
            if ((flags & 1) != 0) throw error("member '" + name + "' is encrypted: not supported");
            if (method != STORED && method != DEFLATED) {
                throw error("member '" + name + "': compression method " + method + " not supported (expected 0 STORED or 8 DEFLATED)");
            }
            out.add(new Entry(name, method, crc, csize, usize, dataOffset(name, local, csize)));
        }
        return out;
    }

    private long need64(long at, long end, String name) {
        if (at + 8 > end) throw error("member '" + name + "': ZIP64 extra field too short: damaged central directory");
        return u64(at);
    }

    /** Where a member's data starts: after its local header, whose name and extra lengths may differ from the central ones. */
    private long dataOffset(String name, long local, long csize) {
        long size = zip.byteSize();
        if (local < 0 || local + 30 > size) {
            throw error("member '" + name + "': local header offset " + local + " outside the file (size " + size + "): damaged or truncated file");
        }
        int sig = (int) u32(local);
        if (sig != LOCAL_HEADER) {
            throw error(String.format("member '%s': expected local header signature 0x%08x at offset %d, found 0x%08x: damaged file",
                    name, LOCAL_HEADER, local, sig));
        }
        long data = local + 30 + u16(local + 26) + u16(local + 28);
        if (csize < 0 || data + csize > size) {
            throw error("member '" + name + "': " + csize + " bytes at offset " + data + " run past the end of the file (size "
                    + size + "): truncated file");
        }
        return data;
    }

    /** Scans back from the end for the end-of-central-directory signature whose comment length fits the file. */
    private long findEndRecord() {
        long size = zip.byteSize();
        long stop = Math.max(0, size - 22 - MAX_COMMENT);
        for (long p = size - 22; p >= stop; p--) {
            if (zip.get(ValueLayout.JAVA_BYTE, p) == 0x50 && u32(p) == END_RECORD && p + 22 + u16(p + 20) == size) {
                return p;
            }
        }
        throw error("no ZIP end-of-central-directory record in the last " + Math.min(size, 22 + MAX_COMMENT)
                + " bytes (file size " + size + "): truncated file or not a ZIP");
    }

    private long u16(long at) {
        return zip.get(U16, at) & 0xFFFFL;
    }

    private long u32(long at) {
        return zip.get(U32, at) & 0xFFFFFFFFL;
    }

    private long u64(long at) {
        return zip.get(U64, at);
    }

    private CheckpointException error(String message) {
        return new CheckpointException(file + ": " + message);
    }
}
