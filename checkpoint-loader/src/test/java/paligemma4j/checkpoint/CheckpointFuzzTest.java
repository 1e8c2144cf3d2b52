package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Fuzz targets for the checkpoint readers: any bytes either load (every tensor's first and last element
 * readable) or fail with a one-line {@link CheckpointException} naming the file. The committed inputs under
 * {@code src/test/resources/paligemma4j/checkpoint/CheckpointFuzzTestInputs/} replay in every test run;
 * {@code scripts/fuzz npz|msgpack|safetensors MINUTES} fuzzes one target.
 */
class CheckpointFuzzTest {
    private static final Path NAME = Path.of("fuzzed.bin");

    @FuzzTest(maxDuration = "10m")
    void npz(byte[] bytes) {
        read(bytes, (data, arena) -> NpzReader.read(NAME, data, arena));
    }

    @FuzzTest(maxDuration = "10m")
    void msgpack(byte[] bytes) {
        read(bytes, (data, arena) -> MsgpackReader.read(NAME, data, arena));
    }

    @FuzzTest(maxDuration = "10m")
    void safetensors(byte[] bytes) {
        read(bytes, (data, arena) -> SafetensorsReader.read(NAME, data, arena));
    }

    /** The format detection in front of the readers. */
    @FuzzTest(maxDuration = "10m")
    void anyFormat(byte[] bytes) {
        read(bytes, (data, arena) -> CheckpointFiles.read(NAME, data, arena));
    }

    private interface Reader {
        Checkpoint read(MemorySegment data, Arena arena);
    }

    private static void read(byte[] bytes, Reader reader) {
        Arena arena = Arena.ofConfined();
        try (Checkpoint c = reader.read(MemorySegment.ofArray(bytes), arena)) {
            for (Tensor t : c.tensors().values()) {
                if (t.size() > 0) {
                    t.getFloat(0);
                    t.getFloat(t.size() - 1);
                }
            }
        } catch (CheckpointException e) {
            ours(e);
        } finally {
            if (arena.scope().isAlive()) arena.close();
        }
    }

    private static void ours(CheckpointException e) {
        assertThat(e.getMessage()).startsWith(NAME + ": ").doesNotContain("\n");
    }
}
