package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every dtype decodes to exactly the float32 values numpy / ml_dtypes give (golden bits in
 * dtypes-golden.json): ties to even, subnormals, overflow to inf, signed zero, NaN, and the three
 * ways a bfloat16 array is described ({@code <V2}, {@code |V2}, {@code bfloat16}); .npy header
 * versions 1, 2 and 3; rank-0 and empty arrays.
 */
class DTypeDecodingTest {
    private static final JsonNode GOLDEN = Fixtures.json("dtypes-golden.json");

    @Test
    void numpyWritesBfloat16AsLittleEndianVoid() {
        assertThat(GOLDEN.get("bf16_descr_written_by_numpy").asText()).isEqualTo("<V2");
    }

    @Test
    void everyMemberDecodesToTheGoldenFloat32Bits() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("dtypes.npz"))) {
            int checked = 0;
            for (var e : GOLDEN.properties()) {
                if (!e.getValue().has("bits")) continue;
                Tensor t = c.get(e.getKey());
                JsonNode g = e.getValue();
                assertThat(t.dtype().jsonName).as(e.getKey()).isEqualTo(g.get("dtype").asText());
                long[] shape = new long[g.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = g.get("shape").get(i).asLong();
                assertThat(t.shape()).as(e.getKey()).containsExactly(shape);
                assertThat(t.size()).isEqualTo(g.get("bits").size());
                for (int i = 0; i < t.size(); i++) {
                    int bits = (int) g.get("bits").get(i).asLong();
                    float got = t.getFloat(i);
                    assertThat(Fixtures.sameBits(got, bits))
                            .as("%s[%d]: got %s (0x%08x), expected %s (0x%08x)", e.getKey(), i, got,
                                    Float.floatToRawIntBits(got), Float.intBitsToFloat(bits), bits)
                            .isTrue();
                }
                checked++;
            }
            assertThat(checked).isEqualTo(12);
        }
    }

    @Test
    void raw16ViewIsTheStoredBitPattern() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("dtypes.npz"))) {
            for (String[] m : new String[][] {{"bf16", "bf16"}, {"bf16_pipe", "bf16"}, {"bf16_named", "bf16"}, {"f16", "f16"}}) {
                Tensor t = c.get(m[0]);
                JsonNode raw = GOLDEN.get("raw16").get(m[1]);
                for (int i = 0; i < t.size(); i++) {
                    assertThat(t.getRaw16(i) & 0xFFFF).as("%s[%d]", m[0], i).isEqualTo(raw.get(i).asInt());
                }
            }
        }
    }

    @Test
    void bfloat16IsFloat32RoundedToNearestEven() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("dtypes.npz"))) {
            Tensor f32 = c.get("f32");
            Tensor bf16 = c.get("bf16");
            for (int i = 0; i < f32.size(); i++) {
                assertThat(bf16.getRaw16(i)).as("element %d = %s", i, f32.getFloat(i))
                        .isEqualTo(Fixtures.bf16RoundNearestEven(f32.getFloat(i)));
            }
            // the tie cases: 1 + 2^-8 rounds down to 1, 1 + 3·2^-8 rounds up to 1 + 2^-6
            assertThat(bf16.getFloat(6)).isEqualTo(1.0f);
            assertThat(bf16.getFloat(7)).isEqualTo(1.0f + 0x1p-6f);
        }
    }

    @Test
    void float16IsFloat32RoundedToNearestEven() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("dtypes.npz"))) {
            Tensor f32 = c.get("f32");
            Tensor f16 = c.get("f16");
            for (int i = 0; i < f32.size(); i++) {
                if (Float.isNaN(f32.getFloat(i))) continue;
                assertThat(f16.getRaw16(i)).as("element %d = %s", i, f32.getFloat(i))
                        .isEqualTo(Float.floatToFloat16(f32.getFloat(i)));
            }
            assertThat(f16.getFloat(12)).isEqualTo(Float.POSITIVE_INFINITY); // 65520 overflows
        }
    }

    @Test
    void wholeTinyCheckpointsRoundLikeNumpy() {
        try (Checkpoint f32 = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"));
             Checkpoint bf16 = Checkpoint.open(Fixtures.tiny("tiny-bf16.npz"));
             Checkpoint f16 = Checkpoint.open(Fixtures.tiny("tiny-f16.npz"))) {
            long n = 0;
            for (Map.Entry<String, Tensor> e : f32.tensors().entrySet()) {
                Tensor a = e.getValue();
                Tensor b = bf16.get(e.getKey());
                Tensor h = f16.get(e.getKey());
                assertThat(b.dtype()).isEqualTo(DType.BFLOAT16);
                assertThat(h.dtype()).isEqualTo(DType.FLOAT16);
                float[] x = a.toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    if (b.getRaw16(i) != Fixtures.bf16RoundNearestEven(x[i]) || h.getRaw16(i) != Float.floatToFloat16(x[i])) {
                        throw new AssertionError(e.getKey() + "[" + i + "] = " + x[i] + ": bf16 " + b.getFloat(i)
                                + ", f16 " + h.getFloat(i) + " are not its round-to-nearest-even values");
                    }
                    n++;
                }
            }
            assertThat(n).isEqualTo(Fixtures.json("golden.json").get("params").asLong());
        }
    }

    @Test
    void headerVersionsTwoAndThreeAndEdgeShapes() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("dtypes.npz"))) {
            assertThat(c.get("matrix_v2").shape()).containsExactly(2, 3, 4);
            assertThat(c.get("matrix_v3").getFloat(23)).isEqualTo(5.75f);
            assertThat(c.get("scalar").rank()).isZero();
            assertThat(c.get("scalar").getFloat(0)).isEqualTo(2.5f);
            assertThat(c.get("empty").size()).isZero();
            assertThat(c.get("i32").getFloat(3)).isEqualTo((float) Integer.MAX_VALUE);
        }
    }
}
