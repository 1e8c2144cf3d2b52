package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tiny PaliGemma .npz files: every tensor's key (params/ stripped, file order), shape, dtype
 * and golden values (numpy's, in golden.json); STORED members are views into the file mapping;
 * DEFLATED and forced-ZIP64 files hold the same bytes.
 */
class NpzReaderTest {
    private static final JsonNode GOLDEN = Fixtures.json("golden.json");

    static void assertGolden(Checkpoint c, String dtype) {
        JsonNode tensors = GOLDEN.get("tensors");
        List<String> keys = new ArrayList<>();
        tensors.fieldNames().forEachRemaining(keys::add);
        assertThat(c.tensors().keySet()).containsExactlyElementsOf(keys);
        for (String key : keys) {
            JsonNode g = tensors.get(key);
            Tensor t = c.get(key);
            assertThat(t.key()).isEqualTo(key);
            assertThat(t.dtype().jsonName).isEqualTo(dtype);
            long[] shape = new long[g.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = g.get("shape").get(i).asLong();
            assertThat(t.shape()).as(key).containsExactly(shape);
            for (int i = 0; i < g.get("indices").size(); i++) {
                long index = g.get("indices").get(i).asLong();
                int bits = (int) g.get(dtype).get(i).asLong();
                assertThat(Float.floatToRawIntBits(t.getFloat(index))).as("%s[%d]", key, index).isEqualTo(bits);
            }
        }
    }

    static void assertSameTensors(Checkpoint a, Checkpoint b) {
        assertThat(b.tensors().keySet()).containsExactlyElementsOf(a.tensors().keySet());
        for (Tensor t : a.tensors().values()) {
            Tensor u = b.get(t.key());
            assertThat(u.dtype()).isEqualTo(t.dtype());
            assertThat(u.shape()).isEqualTo(t.shape());
            assertThat(u.data().mismatch(t.data())).as(t.key()).isEqualTo(-1L);
        }
    }

    @Test
    void float32StoredIsMappedWithGoldenValues() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"))) {
            assertThat(c.format()).isEqualTo("npz");
            assertThat(c.tensors()).hasSize(32);
            assertGolden(c, "float32");
            for (Tensor t : c.tensors().values()) assertThat(t.data().isMapped()).as(t.key()).isTrue();
        }
    }

    @Test
    void bfloat16AndFloat16HoldNumpysValues() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-bf16.npz"))) {
            assertGolden(c, "bfloat16");
        }
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-f16.npz"))) {
            assertGolden(c, "float16");
        }
    }

    @Test
    void deflatedMembersInflateToTheSameTensors() {
        try (Checkpoint stored = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"));
             Checkpoint deflated = Checkpoint.open(Fixtures.tiny("tiny-f32-deflated.npz"))) {
            assertSameTensors(stored, deflated);
            assertGolden(deflated, "float32");
            for (Tensor t : deflated.tensors().values()) assertThat(t.data().isMapped()).isFalse();
        }
    }

    @Test
    void forcedZip64WithoutParamsPrefixLoads() {
        try (Checkpoint stored = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"));
             Checkpoint zip64 = Checkpoint.open(Fixtures.tiny("tiny-f32-zip64-noprefix.npz"))) {
            assertSameTensors(stored, zip64);
        }
    }

    @Test
    void slicesAndConversionsReadTheRightElements() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-bf16.npz"))) {
            Tensor gating = c.get("llm/layers/mlp/gating_einsum");
            Tensor layer1 = gating.slice(1);
            assertThat(layer1.shape()).containsExactly(gating.shape()[1], gating.shape()[2], gating.shape()[3]);
            long offset = layer1.size();
            assertThat(layer1.getFloat(5)).isEqualTo(gating.getFloat(offset + 5));
            float[] out = new float[3];
            gating.copyTo(offset + 5, out, 0, 3);
            assertThat(out[0]).isEqualTo(layer1.getFloat(5));
            short raw = gating.getRaw16(7);
            assertThat(gating.getFloat(7)).isEqualTo(Float.intBitsToFloat((raw & 0xFFFF) << 16));
        }
    }

    @Test
    void closingUnmapsTheFile() {
        Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"));
        MemorySegment data = c.get("llm/final_norm/scale").data();
        c.close();
        c.close(); // idempotent
        assertThat(data.scope().isAlive()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> data.get(ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class);
    }
}
