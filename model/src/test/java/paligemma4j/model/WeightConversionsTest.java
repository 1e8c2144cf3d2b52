package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/** Load-time weight conversion: exact widening, round-to-nearest-even narrowing, and the model-wide hook. */
class WeightConversionsTest {

    @Test
    void bf16RoundsToNearestEvenAndF32WidensExactly() {
        // 1 + 2^-8 is halfway between bf16 1 and 1 + 2^-7: ties to even → 1. 1 + 3·2^-8 → 1 + 2^-6 (even).
        float[] v = {1f, 1f + 0x1p-8f, 1f + 3 * 0x1p-8f, -2.5f, 1e-3f, Float.NaN, Float.POSITIVE_INFINITY};
        Weight w = Weight.of(v, 1, v.length);
        Weight bf = WeightConversions.to(WeightType.BF16).convert(w);
        assertThat(bf.type()).isEqualTo(WeightType.BF16);
        assertThat(bf.get(0, 0)).isEqualTo(1f);
        assertThat(bf.get(0, 1)).isEqualTo(1f);
        assertThat(bf.get(0, 2)).isEqualTo(1f + 0x1p-6f);
        assertThat(bf.get(0, 3)).isEqualTo(-2.5f);
        assertThat(bf.get(0, 4)).isEqualTo(Float.intBitsToFloat(0x3A830000));   // jnp.bfloat16(1e-3) = 0.00100708
        assertThat(bf.get(0, 5)).isNaN();
        assertThat(bf.get(0, 6)).isEqualTo(Float.POSITIVE_INFINITY);
        Weight back = WeightConversions.to(WeightType.F32).convert(bf);
        assertThat(back.type()).isEqualTo(WeightType.F32);
        for (int c = 0; c < v.length; c++) {
            assertThat(Float.floatToIntBits(back.get(0, c))).isEqualTo(Float.floatToIntBits(bf.get(0, c)));
        }
        Weight h = WeightConversions.to(WeightType.F16).convert(w);
        assertThat(h.get(0, 3)).isEqualTo(-2.5f);
        assertThat(WeightConversions.to(WeightType.F32).convert(w)).isSameAs(w);
    }

    @Test
    void forInputFirstQuantizesAnOutputFirstMatrixAsItsInputFirstForm() {
        // [out 40, in 70]: neither side a multiple of the block, so short blocks are checked too
        int out = 40, in = 70;
        float[] rowsOut = new float[out * in], rowsIn = new float[in * out];
        Random rnd = new Random(7);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float v = (float) rnd.nextGaussian() * (1 + o % 5);
                rowsOut[o * in + i] = v;
                rowsIn[i * out + o] = v;
            }
        }
        for (WeightType stored : new WeightType[] {WeightType.F32, WeightType.BF16, WeightType.F16}) {
            Weight hf = WeightConversions.to(stored).convert(Weight.ofOutputFirst(rowsOut, out, in));
            Weight npz = WeightConversions.to(stored).convert(Weight.of(rowsIn, in, out));
            Weight q = WeightConversions.to(WeightType.Q8_0).forInputFirst().convert(hf);
            Weight expected = WeightConversions.to(WeightType.Q8_0).convert(npz);
            assertThat(q.type()).isEqualTo(WeightType.Q8_0);
            assertThat(q.orientation()).as(stored + " orientation").isEqualTo(Weight.Orientation.INPUT_FIRST);
            assertThat(q.rows()).isEqualTo(in);
            assertThat(q.cols()).isEqualTo(out);
            assertThat(q.data().toArray(ValueLayout.JAVA_BYTE)).as(stored + ": the npz form's Q8_0 bytes")
                    .containsExactly(expected.data().toArray(ValueLayout.JAVA_BYTE));
            // blocks along the outputs: each value within half its own block's step of the stored value
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    float max = 0;
                    for (int b = o / Q8.BLOCK * Q8.BLOCK; b < Math.min(out, (o / Q8.BLOCK + 1) * Q8.BLOCK); b++) {
                        max = Math.max(max, Math.abs(hf.at(i, b)));
                    }
                    assertThat(Math.abs(q.at(i, o) - hf.at(i, o))).isLessThanOrEqualTo(max / 127 * (1 + 0x1p-10f) / 2 * 1.0001f);
                }
            }
            // an input-first matrix converts as to() converts it
            assertThat(WeightConversions.to(WeightType.Q8_0).forInputFirst().convert(npz).data()
                    .toArray(ValueLayout.JAVA_BYTE))
                    .containsExactly(expected.data().toArray(ValueLayout.JAVA_BYTE));
        }
        Weight hf = Weight.ofOutputFirst(rowsOut, out, in);
        // the JVM's conversion keeps Hugging Face's orientation: blocks along the inputs
        Weight jvm = WeightConversions.to(WeightType.Q8_0).convert(hf);
        assertThat(jvm.orientation()).isEqualTo(Weight.Orientation.OUTPUT_FIRST);
        assertThat(jvm.rows()).isEqualTo(out);
        // other targets keep the orientation (the backend transposes those), a Q8_0 weight is kept as it is
        assertThat(WeightConversions.to(WeightType.BF16).forInputFirst().convert(hf).orientation())
                .isEqualTo(Weight.Orientation.OUTPUT_FIRST);
        assertThat(WeightConversions.to(WeightType.F32).forInputFirst().convert(hf)).isSameAs(hf);
        assertThat(WeightConversions.to(WeightType.Q8_0).forInputFirst().convert(jvm)).isSameAs(jvm);
    }

    @Test
    void convertedModelGivesTheSameLogitsAsStoredWhenTheConversionIsExact() {
        // tiny-224 is float32: bf16 → f32 of the bf16-rounded weights equals loading them rounded once.
        Path ckpt = Path.of("src/test/resources/tiny/tiny-224.npz");
        WeightConverter viaBf16 = w -> WeightConversions.to(WeightType.F32).convert(
                WeightConversions.to(WeightType.BF16).convert(w));
        float[] pixels = new float[224 * 224 * 3];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (i % 97) / 48f - 1f;
        int[] ids = {2, 10, 11, 12};
        float[] a, b, stored;
        try (PaliGemma m = PaliGemma.load(ckpt, new NaiveOps(), WeightConversions.to(WeightType.BF16))) {
            a = m.prefill(m.encodeImage(pixels, StageObserver.NONE), ids, 1, KVCache.Precision.F32, StageObserver.NONE).logits();
        }
        try (PaliGemma m = PaliGemma.load(ckpt, new NaiveOps(), viaBf16)) {
            b = m.prefill(m.encodeImage(pixels, StageObserver.NONE), ids, 1, KVCache.Precision.F32, StageObserver.NONE).logits();
        }
        try (PaliGemma m = PaliGemma.load(ckpt, new NaiveOps())) {
            stored = m.prefill(m.encodeImage(pixels, StageObserver.NONE), ids, 1, KVCache.Precision.F32, StageObserver.NONE).logits();
        }
        assertThat(b).containsExactly(a);
        assertThat(a).isNotEqualTo(stored);   // the conversion really happened
    }
}
