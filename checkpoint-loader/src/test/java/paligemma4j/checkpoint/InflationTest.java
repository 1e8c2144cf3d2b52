package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Streaming inflation through windows smaller than the data (the same loop that carries members
 * over 2 GB through 1 GiB windows), its CRC and length checks.
 */
class InflationTest {

    private static byte[] deflateRaw(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[data.length * 2 + 64];
        int n = d.deflate(buf);
        d.end();
        return java.util.Arrays.copyOf(buf, n);
    }

    private static int crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return (int) c.getValue();
    }

    @Test
    void smallWindowsInflateExactly() {
        byte[] data = new byte[100_003];
        Random r = new Random(7);
        for (int i = 0; i < data.length; i++) data[i] = (byte) (r.nextInt(16) * (i % 7)); // compressible
        byte[] z = deflateRaw(data);
        try (Arena arena = Arena.ofConfined()) {
            for (long window : new long[] {1, 7, 1000, 65536, 1L << 30}) {
                MemorySegment out = Inflation.inflate(MemorySegment.ofArray(z), data.length, crc(data), arena, "f: k", window);
                assertThat(out.toArray(ValueLayout.JAVA_BYTE)).as("window %d", window).isEqualTo(data);
            }
        }
    }

    @Test
    void wrongCrcLengthOrTruncationAreReported() {
        byte[] data = "PaliGemma ".repeat(1000).getBytes();
        byte[] z = deflateRaw(data);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Inflation.inflate(MemorySegment.ofArray(z), data.length, crc(data) ^ 1, arena, "f.npz: key 'x'"))
                    .isInstanceOf(CheckpointException.class).hasMessageStartingWith("f.npz: key 'x': CRC-32 of the inflated member");
            assertThatThrownBy(() -> Inflation.inflate(MemorySegment.ofArray(z), data.length - 1, crc(data), arena, "f: k"))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("inflates to more than the 9999 bytes");
            assertThatThrownBy(() -> Inflation.inflate(MemorySegment.ofArray(z), data.length + 5, crc(data), arena, "f: k"))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("inflates to 10000 bytes, the ZIP directory records 10005");
            byte[] cut = java.util.Arrays.copyOf(z, z.length / 2);
            assertThatThrownBy(() -> Inflation.inflate(MemorySegment.ofArray(cut), data.length, crc(data), arena, "f: k"))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("truncated member");
        }
    }
}
