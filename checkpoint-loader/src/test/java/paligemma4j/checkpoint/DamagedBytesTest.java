package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;

/**
 * Systematic damage to valid files (every truncation length and every single-byte change of a small
 * .npz, one of two values per byte; random truncations and byte changes in the headers of the tiny .npz and .msgpack files): each
 * either still loads or fails with a one-line {@link CheckpointException} naming the file; never an
 * index, buffer, arithmetic or memory error.
 */
class DamagedBytesTest {
    private static final Path NAME = Path.of("damaged.npz");
    private int failures;

    /** Parses the bytes from the heap (no file, no shared arena: thousands of cases stay fast). */
    private void check(byte[] bytes, String what) {
        Arena arena = Arena.ofConfined();
        try (Checkpoint c = CheckpointFiles.read(NAME, MemorySegment.ofArray(bytes), arena)) {
            for (Tensor t : c.tensors().values()) {
                if (t.size() > 0) {
                    t.getFloat(0);
                    t.getFloat(t.size() - 1);
                }
            }
            if (c.tensors().size() == 32) PaliGemmaWeights.of(c);
        } catch (CheckpointException e) {
            assertThat(e.getMessage()).as(what).startsWith(NAME + ": ").doesNotContain("\n");
            failures++;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": raw " + e, e);
        } finally {
            if (arena.scope().isAlive()) arena.close();
        }
    }

    @Test
    void everyTruncationAndByteChangeOfASmallNpz() throws IOException {
        byte[] ok = Files.readAllBytes(Fixtures.tiny("corrupt/small-ok.npz"));
        for (int n = 0; n < ok.length; n++) check(java.util.Arrays.copyOf(ok, n), "truncated to " + n);
        for (int i = 0; i < ok.length; i++) {
            for (int v : new int[] {i % 2 == 0 ? 0x00 : 0xFF, ok[i] ^ 0x01}) {
                byte[] b = ok.clone();
                b[i] = (byte) v;
                check(b, "byte " + i + " = " + v);
            }
        }
        assertThat(failures).isGreaterThan(ok.length);
    }

    @Test
    void headerDamageInTinyNpzAndMsgpack() throws IOException {
        Random rnd = new Random(42);
        for (String name : new String[] {"tiny-f32.npz", "tiny-f32-deflated.npz", "tiny-f32-zip64-noprefix.npz",
                "tiny-f32.msgpack", "tiny-bf16-chunked.msgpack"}) {
            byte[] ok = Files.readAllBytes(Fixtures.tiny(name));
            for (int k = 0; k < 20; k++) check(java.util.Arrays.copyOf(ok, rnd.nextInt(ok.length)), name + " truncated");
            for (int k = 0; k < 100; k++) {
                byte[] b = ok.clone();
                // first 4 KiB (headers, first members) and the last 4 KiB (central directory) most of the time
                int i = k % 2 == 0 ? rnd.nextInt(Math.min(4096, b.length)) : b.length - 1 - rnd.nextInt(Math.min(4096, b.length));
                b[i] = (byte) rnd.nextInt(256);
                check(b, name + " byte " + i);
            }
        }
    }
}
