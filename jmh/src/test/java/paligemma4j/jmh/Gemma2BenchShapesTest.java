package paligemma4j.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Gemma 2 benchmark shapes: the soft-cap prefix reaches the kernel, the post norm's step, the derived work. */
class Gemma2BenchShapesTest {

    private static float[] attention(String shape, String impl) {
        AttentionBench b = new AttentionBench();
        b.shape = shape;
        b.impl = impl;
        b.threads = 1;
        b.setup();
        try {
            return b.attention().clone();
        } finally {
            b.tearDown();
        }
    }

    @Test
    void capPrefixSoftCapsTheLogitsInEveryBackend() {
        // a cap of 0.5 changes logits of size ~1 a lot, so a dropped prefix would show
        float[] capped = attention("cap0.5:3x4x2x16x5", "jvm");
        float[] naive = attention("cap0.5:3x4x2x16x5", "naive");
        float[] plain = attention("3x4x2x16x5", "jvm");
        assertThat(capped).hasSize(3 * 4 * 16);
        for (int i = 0; i < capped.length; i++) assertThat(capped[i]).isCloseTo(naive[i], within(1e-5f));
        double largest = 0;
        for (int i = 0; i < capped.length; i++) largest = Math.max(largest, Math.abs(capped[i] - plain[i]));
        assertThat(largest).isGreaterThan(1e-3);
    }

    @Test
    void badCapPrefixIsNamed() {
        AttentionBench b = new AttentionBench();
        b.shape = "softcap50:3x4x2x16x5";
        b.impl = "jvm";
        assertThatThrownBy(b::setup).hasMessageContaining("'softcap50'").hasMessageContaining("cap50");
    }

    @Test
    void postNormAddsTheNormalisedRowToTheResidual() {
        NormBench norm = new NormBench();
        norm.shape = "rmsNorm:2x2304";
        norm.impl = "naive";
        norm.setup();
        float[] y = norm.norm().clone();
        NormBench post = new NormBench();
        post.shape = "postNorm:2x2304";
        post.impl = "naive";
        post.setup();
        float[] residual = RandomWeights.floats(2 * 2304, 4);
        float[] after = post.norm();
        for (int i = 0; i < after.length; i++) assertThat(after[i]).isEqualTo(residual[i] + y[i]);
    }

    @Test
    void finalSoftCapIsThirtyTanhOverThirty() {
        ElementwiseBench b = new ElementwiseBench();
        b.shape = "softCap:1x257152";
        b.impl = "jvm";
        b.threads = 1;
        b.setup();
        float[] x0 = RandomWeights.floats(257152, 1);
        float[] x = (float[]) b.op();
        b.tearDown();
        for (int i = 0; i < x.length; i += 997) assertThat(x[i]).isEqualTo((float) Math.tanh(x0[i] * (1f / 30f)) * 30f);
    }

    @Test
    void derivedWorkReadsTheGemma2Shapes() {
        assertThat(Work.of("AttentionBench", Map.of("shape", "cap50:266x8x4x256x266")))
                .isEqualTo(new Work(4.0 * 266 * 266 * 8 * 256, Work.GFLOPS));
        assertThat(Work.of("AttentionBench", Map.of("shape", "1x32x16x128x300")))
                .isEqualTo(new Work(4.0 * 300 * 32 * 128, Work.GFLOPS));
        assertThat(Work.of("NormBench", Map.of("shape", "rmsNorm:266x3584"))).isEqualTo(new Work(8.0 * 266 * 3584, Work.GBS));
        assertThat(Work.of("NormBench", Map.of("shape", "postNorm:1x2304"))).isEqualTo(new Work(20.0 * 2304, Work.GBS));
        assertThat(Work.of("ElementwiseBench", Map.of("shape", "softCap:1x257152"))).isEqualTo(new Work(8.0 * 257152, Work.GBS));
    }
}
