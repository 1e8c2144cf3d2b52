package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.PaliGemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.Devices;
import paligemma4j.kernels.tornado.TornadoOps;
import paligemma4j.kernels.tornado.VisionTowerGraph;

/**
 * The device-resident vision tower ({@link VisionTowerGraph}: one task graph per block, fused QKV,
 * fused residual and GELU epilogues, tiled matmuls) against {@link SiglipEncoder} on the JVM backend,
 * tiny 224 checkpoint: image tokens within 1e-4 for two images, the second run reusing the uploaded
 * weights.
 */
class TornadoVisionTowerTest {

    static final Path CKPT = Path.of("src/test/resources/tiny/tiny-224.npz");

    @Test
    void imageTokensMatchTheJvmEncoder() {
        try (Checkpoint ckpt = Checkpoint.open(CKPT); JvmOps jvm = new JvmOps(2)) {
            PaliGemmaWeights pw = PaliGemmaWeights.of(ckpt);
            PaliGemmaConfig cfg = pw.config();
            SiglipEncoder reference = new SiglipEncoder(cfg.vision(), pw.vision(), jvm, bytes -> { });
            int r = cfg.vision().resolution();
            try (TornadoOps ops = new TornadoOps(Devices.defaultDevice()); VisionTowerGraph graph = ops.vision(pw.vision())) {
                for (int img = 0; img < 2; img++) {
                    float[] pixels = TransformersParityTest.hashImage(img, r);
                    float[] expected = reference.forward(pixels, StageObserver.NONE);
                    long t0 = System.nanoTime();
                    float[] actual = graph.forward(SiglipEncoder.patchify(pixels, r, cfg.vision().patch()));
                    double ms = (System.nanoTime() - t0) / 1e6;
                    double diff = TransformersParityTest.maxAbsDiff(actual, expected);
                    System.out.printf("vision tower graph, tiny-224 image %d: max |Δ| %.3g vs JVM, %.1f ms%n", img, diff, ms);
                    assertThat(diff).isLessThanOrEqualTo(1e-4);
                }
            }
        }
    }
}
