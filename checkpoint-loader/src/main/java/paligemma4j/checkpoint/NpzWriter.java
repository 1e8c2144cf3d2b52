package paligemma4j.checkpoint;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a big_vision {@code .npz}: one STORED {@code params/<key>.npy} member per tensor (version 1.0 header,
 * little-endian, C order; bfloat16 as {@code <V2}, as {@code np.savez} writes an ml_dtypes array), ZIP64 where
 * sizes need it. A tensor comes as a {@link Source} that emits its bytes in pieces and is run twice (once for the
 * CRC a STORED member needs up front, once to write), so no whole tensor has to be held in memory.
 */
public final class NpzWriter implements AutoCloseable {

    /** A tensor's bytes, emitted in order as any number of pieces; must emit the same bytes each time it runs. */
    public interface Source {
        void emit(Consumer<MemorySegment> piece);
    }

    private final Path file;
    private final ZipOutputStream zip;
    private final byte[] chunk = new byte[1 << 20];

    private NpzWriter(Path file, ZipOutputStream zip) {
        this.file = file;
        this.zip = zip;
    }

    public static NpzWriter create(Path file) {
        try {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
            return new NpzWriter(file, new ZipOutputStream(out));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write (" + e + ")", e);
        }
    }

    /** Appends {@code params/<key>.npy} holding {@code dtype[shape]} from {@code source}. */
    public void write(String key, DType dtype, long[] shape, Source source) {
        byte[] header = npyHeader(dtype, shape);
        long bytes = CheckpointFiles.byteSize(dtype, shape, file + ": key '" + key + "'");
        CRC32 crc = new CRC32();
        crc.update(header);
        long[] seen = {0};
        source.emit(piece -> {
            seen[0] += piece.byteSize();
            crc.update(piece.asByteBuffer());
        });
        if (seen[0] != bytes) {
            throw new IllegalStateException(file + ": key '" + key + "' emitted " + seen[0] + " bytes, "
                    + CheckpointFiles.describe(dtype, shape) + " needs " + bytes);
        }
        ZipEntry e = new ZipEntry("params/" + key + ".npy");
        e.setMethod(ZipEntry.STORED);
        e.setSize(header.length + bytes);
        e.setCompressedSize(header.length + bytes);
        e.setCrc(crc.getValue());
        try {
            zip.putNextEntry(e);
            zip.write(header);
            IOException[] failed = {null};
            source.emit(piece -> {
                if (failed[0] != null) return;
                try {
                    for (long at = 0; at < piece.byteSize(); ) {
                        int n = (int) Math.min(piece.byteSize() - at, chunk.length);
                        MemorySegment.copy(piece, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                        zip.write(chunk, 0, n);
                        at += n;
                    }
                } catch (IOException x) {
                    failed[0] = x;
                }
            });
            if (failed[0] != null) throw failed[0];
            zip.closeEntry();
        } catch (IOException x) {
            throw new CheckpointException(file + ": cannot write key '" + key + "' (" + x + ")", x);
        }
    }

    /** A .npy v1.0 header, padded with spaces and a newline to a multiple of 64 bytes as numpy does. */
    static byte[] npyHeader(DType dtype, long[] shape) {
        String descr = switch (dtype) {
            case FLOAT32 -> "<f4";
            case FLOAT16 -> "<f2";
            case BFLOAT16 -> "<V2";
            case INT32 -> "<i4";
            case UINT8 -> "|u1";
            case BOOL -> "|b1";
        };
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        s.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        byte[] h = new byte[padded];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, h, 0, 8);
        int len = padded - 10;
        h[8] = (byte) len;
        h[9] = (byte) (len >> 8);
        byte[] d = dict.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, h, 10, d.length);
        for (int i = 10 + d.length; i < padded - 1; i++) h[i] = ' ';
        h[padded - 1] = '\n';
        return h;
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot finish the archive (" + e + ")", e);
        }
    }
}
