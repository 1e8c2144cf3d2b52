package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Flax msgpack files (flax.serialization.to_bytes layout, written by scripts/make_checkpoints.py)
 * load to the same tensors as the .npz files: plain ext-type arrays as views into the mapping,
 * flax's chunked large-array form concatenated.
 */
class MsgpackReaderTest {

    @Test
    void float32MsgpackEqualsTheNpzAndIsZeroCopy() {
        try (Checkpoint npz = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"));
             Checkpoint mp = Checkpoint.open(Fixtures.tiny("tiny-f32.msgpack"))) {
            assertThat(mp.format()).isEqualTo("msgpack");
            NpzReaderTest.assertSameTensors(npz, mp);
            NpzReaderTest.assertGolden(mp, "float32");
            for (Tensor t : mp.tensors().values()) assertThat(t.data().isMapped()).as(t.key()).isTrue();
        }
    }

    @Test
    void chunkedBfloat16MsgpackEqualsTheNpz() {
        try (Checkpoint npz = Checkpoint.open(Fixtures.tiny("tiny-bf16.npz"));
             Checkpoint mp = Checkpoint.open(Fixtures.tiny("tiny-bf16-chunked.msgpack"))) {
            NpzReaderTest.assertSameTensors(npz, mp);
            NpzReaderTest.assertGolden(mp, "bfloat16");
            // arrays above 4 KiB were written in flax's chunked form: joined into a copy
            assertThat(mp.get("img/embedding/kernel").data().isMapped()).isFalse();
            assertThat(mp.get("img/embedding/bias").data().isMapped()).isTrue();
        }
    }
}
