package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.WeightType;
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

    /**
     * {@code --weights q8 --backend tornadovm} on the Hugging Face checkpoint: the model loads through
     * {@link WeightConverter#forInputFirst} because TornadoOps reads input-first, so its matrices are the npz's Q8_0
     * matrices, and on the device the image tokens, the prefix logits (within the 1e-3 of the Q8_0 cases in
     * {@link TornadoDecodeRoutesTest}; the same inputs, so measured 0) and the greedy tokens equal the npz's there, all
     * in the graphs. A converter without that form (quantizing as stored: blocks along the inputs, the JVM's form)
     * gets its first matrix refused with one line.
     */
    @Test
    void hfCheckpointQuantizedInputFirstGivesTheNpzQ8OnTheDevice() {
        try (TornadoOps tornadoOps = new TornadoOps()) {
            float[] zNpz, logitsNpz;
            int[] idsNpz;
            int[] ids = {2, 40, 41, 42, 108};
            float[] pixels;
            try (PaliGemma npz = PaliGemma.load(RES.resolve("tiny/tiny-224.npz"), tornadoOps,
                    WeightConversions.to(WeightType.Q8_0))) {
                pixels = TransformersParityTest.hashImage(3, npz.config().vision().resolution());
                zNpz = npz.encodeImage(pixels, StageObserver.NONE);
                Prefix p = npz.prefillGreedy(zNpz, ids, STEPS, KVCache.Precision.F32);
                logitsNpz = p.logits();
                idsNpz = npz.decode(p, 1, STEPS, -1);
            }
            try (PaliGemma hf = PaliGemma.load(RES.resolve("hf/tiny-224-hub"), tornadoOps,
                    WeightConversions.to(WeightType.Q8_0))) {
                float[] z = hf.encodeImage(pixels, StageObserver.NONE);
                Prefix p = hf.prefillGreedy(z, ids, STEPS, KVCache.Precision.F32);
                double imageDiff = TransformersParityTest.maxAbsDiff(z, zNpz);
                double logitDiff = TransformersParityTest.maxAbsDiff(p.logits(), logitsNpz);
                System.out.printf("hf vs npz, Q8_0 on the device: image tokens within %.3g, prefix logits within %.3g%n",
                        imageDiff, logitDiff);
                assertThat(imageDiff).isLessThanOrEqualTo(1e-3);
                assertThat(logitDiff).isLessThanOrEqualTo(1e-3);
                assertThat(hf.decode(p, 1, STEPS, -1)).containsExactly(idsNpz);
            }
            assertThat(tornadoOps.towerRuns().visionForwards()).isEqualTo(2);
            assertThat(tornadoOps.towerRuns().prefills()).isEqualTo(2);
            assertThat(tornadoOps.perOpPlans()).as("nothing ran op by op").isZero();
            try (PaliGemma asStored = PaliGemma.load(RES.resolve("hf/tiny-224-hub"), tornadoOps,
                    w -> Q8.quantize(w, Arena.ofAuto()))) {
                assertThatThrownBy(() -> asStored.encodeImage(pixels, StageObserver.NONE))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("is output-first (blocks along the inputs)")
                        .hasMessageContaining("forInputFirst");
            }
        }
    }
}
