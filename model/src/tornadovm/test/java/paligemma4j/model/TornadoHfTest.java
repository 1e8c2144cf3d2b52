package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.TornadoOps;

/**
 * A Hugging Face checkpoint (output-first weights, which the device copies transpose once) on the TornadoVM
 * backend's tower route against its npz on the JVM backend: image tokens and prefix logits within 1e-4, the same
 * greedy tokens, and no op run one by one.
 */
class TornadoHfTest {

    static final Path RES = Path.of("src/test/resources");
    static final int STEPS = 8;

    @Test
    void hfCheckpointOnTheDeviceGivesTheNpzTokens() {
        try (JvmOps jvmOps = new JvmOps(2);
             TornadoOps tornadoOps = new TornadoOps();
             PaliGemma jvm = PaliGemma.load(RES.resolve("tiny/tiny-224.npz"), jvmOps);
             PaliGemma dev = PaliGemma.load(RES.resolve("hf/tiny-224-hub"), tornadoOps)) {
            float[] pixels = TransformersParityTest.hashImage(3, jvm.config().vision().resolution());
            float[] zJvm = jvm.encodeImage(pixels, StageObserver.NONE), zDev = dev.encodeImage(pixels, StageObserver.NONE);
            assertThat(TransformersParityTest.maxAbsDiff(zDev, zJvm)).isLessThanOrEqualTo(1e-4);
            int[] ids = {2, 40, 41, 42, 108};
            Prefix pJvm = jvm.prefill(zJvm, ids, STEPS, KVCache.Precision.F32, StageObserver.NONE);
            Prefix pDev = dev.prefillGreedy(zDev, ids, STEPS, KVCache.Precision.F32);
            assertThat(TransformersParityTest.maxAbsDiff(pDev.logits(), pJvm.logits())).isLessThanOrEqualTo(1e-4);
            assertThat(dev.decode(pDev, 1, STEPS, -1)).containsExactly(jvm.decode(pJvm, 1, STEPS, -1));
            assertThat(tornadoOps.perOpPlans()).isZero();
        }
    }
}
