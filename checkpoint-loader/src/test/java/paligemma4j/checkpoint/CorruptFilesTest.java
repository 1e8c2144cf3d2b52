package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;

/**
 * Each broken file gives one {@link CheckpointException} whose single-line message names the file,
 * the key where there is one, and expected vs actual; never an index or buffer exception.
 */
class CorruptFilesTest {

    private static Path corrupt(String name) {
        return Fixtures.tiny("corrupt/" + name);
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ?> opening(String name) {
        return assertThatThrownBy(() -> {
            try (Checkpoint c = Checkpoint.open(corrupt(name))) {
                PaliGemmaWeights.of(c);
            }
        }).isExactlyInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(corrupt(name).toString() + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void truncatedZip() {
        opening("truncated.npz").hasMessageContaining("no ZIP end-of-central-directory record")
                .hasMessageContaining("file size 372").hasMessageContaining("truncated");
    }

    @Test
    void damagedCentralDirectory() {
        opening("bad-central-directory.npz")
                .hasMessageContaining("central directory entry 1")
                .hasMessageContaining("expected signature 0x02014b50, found 0x00005858")
                .hasMessageContaining("damaged central directory");
    }

    @Test
    void memberThatIsNotNpy() {
        opening("not-npy-member.npz").hasMessageContaining("member 'params/notes.txt' is not a .npy array");
        opening("bad-npy-magic.npz").hasMessageContaining("key 'b': not a .npy array: expected magic \\x93NUMPY, found 'this is '");
    }

    @Test
    void unknownDtype() {
        opening("unknown-dtype.npz").hasMessageContaining("key 'b': unsupported dtype '<f8': expected one of <f4, <f2");
    }

    @Test
    void fortranOrder() {
        opening("fortran-order.npz").hasMessageContaining("key 'b': fortran_order True")
                .hasMessageContaining("expected C order");
    }

    @Test
    void bigEndian() {
        opening("big-endian.npz").hasMessageContaining("key 'b': big-endian dtype '>f4' not supported: expected little-endian '<f4'");
    }

    @Test
    void memberShorterThanItsHeader() {
        opening("short-data.npz").hasMessageContaining("key 'b': expected 400 bytes of data for float32[100], found 40");
    }

    @Test
    void notAZipAtAll() {
        opening("not-a-zip.npz").hasMessageContaining("not a checkpoint: looks like text; expected a ZIP/.npz")
                .hasMessageContaining("found 74 68 69 73 ('this')");
    }

    @Test
    void wrongShapesAreAllListedWithExpectedAndActual() {
        opening("wrong-shape.npz").hasMessageContaining("not a valid PaliGemma checkpoint, 2 problems")
                .hasMessageContaining("llm/layers/mlp/gating_einsum: expected shape [2, 2, 32, 64], found [2, 2, 64, 32]")
                .hasMessageContaining("llm/layers/mlp/linear: expected shape [2, 64, 32], found [2, 64, 31]");
    }

    @Test
    void missingAndUnexpectedKeysAreAllListed() {
        opening("missing-key.npz").hasMessageContaining("3 problems")
                .hasMessageContaining("missing img/head/bias (expected shape [32])")
                .hasMessageContaining("missing llm/final_norm/scale (expected shape [32])")
                .hasMessageContaining("unexpected opt/step [1]");
    }

    @Test
    void aValidZipThatIsNotPaliGemma() {
        opening("small-ok.npz").hasMessageContaining("34 problems").hasMessageContaining("missing img/embedding/kernel")
                .hasMessageContaining("unexpected a [2, 3]");
    }

    @Test
    void truncatedMsgpack() {
        opening("truncated.msgpack").hasMessageContaining("key 'img/Transformer/encoderblock/LayerNorm_1/scale'")
                .hasMessageContaining("runs past the end of the file (size 2034): truncated");
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> Checkpoint.open(Path.of("/nonexistent/x.npz")))
                .isExactlyInstanceOf(CheckpointException.class).hasMessage("/nonexistent/x.npz: no such file");
    }
}
