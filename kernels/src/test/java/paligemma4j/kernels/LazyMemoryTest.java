package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** {@link LazyMemory}: zero, aligned, writable memory whose mapping ends with its arena. */
class LazyMemoryTest {

    @Test
    void largeBuffersAreMappedOnLinux() {
        // the tests run on Linux with native access (pom: --enable-native-access); elsewhere allocate falls back
        assertThat(System.getProperty("os.name")).isEqualTo("Linux");
        assertThat(LazyMemory.maps()).isTrue();
    }

    @Test
    void aMappedBufferIsZeroWritableAndClosedWithItsArena() {
        long bytes = LazyMemory.MIN_MAPPED + 4096 + 40;     // not a whole number of pages
        MemorySegment m;
        try (Arena arena = Arena.ofConfined()) {
            m = LazyMemory.allocate(arena, bytes);
            assertThat(m.byteSize()).isEqualTo(bytes);
            assertThat(m.address() % 64).isZero();
            assertThat(m.mismatch(arena.allocate(bytes))).as("first non-zero byte").isEqualTo(-1L);
            for (long at = 0; at + 8 <= bytes; at += 4093 * 8) m.set(ValueLayout.JAVA_LONG_UNALIGNED, at, at ^ 0x5DEECE66DL);
            m.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            for (long at = 0; at + 8 <= bytes; at += 4093 * 8) {
                assertThat(m.get(ValueLayout.JAVA_LONG_UNALIGNED, at)).isEqualTo(at ^ 0x5DEECE66DL);
            }
            assertThat(m.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 7);
        }
        assertThat(m.scope().isAlive()).isFalse();
        assertThatThrownBy(() -> m.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void smallBuffersComeFromTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = LazyMemory.allocate(arena, 100);
            assertThat(s.byteSize()).isEqualTo(100);
            assertThat(s.address() % 64).isZero();
            assertThat(s.mismatch(MemorySegment.ofArray(new byte[100]))).isEqualTo(-1L);
        }
    }
}
