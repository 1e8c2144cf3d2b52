package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.PaliGemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.checkpoint.paligemma.SiglipConfig;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.Devices;
import paligemma4j.kernels.tornado.TornadoOps;
import paligemma4j.kernels.tornado.VisionTowerGraph;
import paligemma4j.kernels.tornado.VitTower;

/**
 * The device-resident vision tower ({@link VisionTowerGraph}: one task graph per block, fused QKV,
 * fused residual and GELU epilogues, tiled matmuls) against {@link SiglipEncoder} on the JVM backend,
 * tiny 224 checkpoint: image tokens within 1e-4 for two images, the second run reusing the uploaded
 * weights.
 */
class TornadoVisionTowerTest {

    static final Path CKPT = Path.of("src/test/resources/tiny/tiny-224.npz");

    /** SigLIP weights as the kernels module's tower description (what the model would hand over). */
    static VitTower tower(SiglipWeights w) {
        SiglipConfig c = w.config();
        List<VitTower.Block> blocks = w.layers().stream().map(b -> new VitTower.Block(b.ln0Scale(), b.ln0Bias(),
                b.query(), b.queryBias(), b.key(), b.keyBias(), b.value(), b.valueBias(), b.out(), b.outBias(),
                b.ln1Scale(), b.ln1Bias(), b.fc1(), b.fc1Bias(), b.fc2(), b.fc2Bias())).toList();
        return new VitTower(c.numTokens(), c.patch() * c.patch() * 3, c.width(), c.heads(), c.headDim(), c.mlp(),
                SiglipConfig.LAYER_NORM_EPS, w.patchKernel(), w.patchBias(), w.positions(), blocks,
                w.encoderNormScale(), w.encoderNormBias(), w.head(), w.headBias());
    }

    @Test
    void imageTokensMatchTheJvmEncoder() {
        try (Checkpoint ckpt = Checkpoint.open(CKPT); JvmOps jvm = new JvmOps(2)) {
            PaliGemmaWeights pw = PaliGemmaWeights.of(ckpt);
            PaliGemmaConfig cfg = pw.config();
            SiglipWeights sw = SiglipWeights.of(pw.vision(), cfg.vision(), cfg.llm().width());
            SiglipEncoder reference = new SiglipEncoder(sw, jvm);
            int r = cfg.vision().resolution();
            try (TornadoOps ops = new TornadoOps(Devices.defaultDevice()); VisionTowerGraph graph = ops.vision(tower(sw))) {
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
