package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.NaiveOps;
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
