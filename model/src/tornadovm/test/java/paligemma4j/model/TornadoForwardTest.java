package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.FallbackProbe;
import paligemma4j.kernels.tornado.TornadoOps;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * The whole PaliGemma forward pass with every op on the TornadoVM device ({@link TornadoOps}, bailout
 * disabled) against the JVM backend on the tiny 224 checkpoint: image tokens, prefix logits and every
 * greedy step's logits within 1e-4 (f32 KV cache), and the same greedy tokens. Prompts and images are
 * those of the transformers golden file, so the JVM side is itself pinned to transformers there.
 * The per-op route is what the model takes with a stage observer attached (for the image) and with a
 * host-cache {@link PaliGemma#prefill}; {@link TornadoGenerateTest} covers the whole-tower route.
 */
class TornadoForwardTest {

    static final Path RES = Path.of("src/test/resources");
    static final int EXAMPLES = 4;
    /** An attached observer that keeps nothing: it makes the model compute per op. */
    static final StageObserver PER_OP = (name, data, rows, cols) -> {};

    @Test
    void sameLogitsAndGreedyTokensAsTheJvmBackend() throws Exception {
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        try (JvmOps jvmOps = new JvmOps(2);
             TornadoOps tornadoOps = new TornadoOps();
             Golden g = new Golden(RES.resolve("tiny/hf-golden-224.npz"));
             PaliGemma jvm = PaliGemma.load(RES.resolve("tiny/tiny-224.npz"), jvmOps);
             PaliGemma dev = PaliGemma.load(RES.resolve("tiny/tiny-224.npz"), tornadoOps)) {
            int r = g.scalar("resolution"), maxTokens = g.scalar("max_tokens");
            double worstImage = 0, worstLogit = 0;
            int steps = 0;
            for (int b = 0; b < EXAMPLES; b++) {
                int[] ids = g.ragged("text_ids", "text_offsets", b);
                float[] pixels = TransformersParityTest.hashImage(g.ints("image_index")[b], r);
                long t0 = System.nanoTime();
                float[] zJvm = jvm.encodeImage(pixels, StageObserver.NONE);
                long t1 = System.nanoTime();
                float[] zDev = dev.encodeImage(pixels, PER_OP);
                long t2 = System.nanoTime();
                System.out.printf("example %d: vision JVM %.1f ms, TornadoOps per op %.1f ms (the first compiles)%n", b,
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6);
                worstImage = Math.max(worstImage, TransformersParityTest.maxAbsDiff(zDev, zJvm));

                DecodeState sJvm = jvm.decodeState(jvm.prefill(zJvm, ids, maxTokens, KVCache.Precision.F32, StageObserver.NONE));
                DecodeState sDev = dev.decodeState(dev.prefill(zDev, ids, maxTokens, KVCache.Precision.F32, StageObserver.NONE));
                for (int step = 0; step < maxTokens; step++) {
                    worstLogit = Math.max(worstLogit, TransformersParityTest.maxAbsDiff(sDev.logits(), sJvm.logits()));
                    int tJvm = GreedyDecoder.argmax(sJvm.logits()), tDev = tornadoOps.argmax(sDev.logits(), 0, sDev.logits().length);
                    assertThat(tDev).as("greedy token %d of example %d", step, b).isEqualTo(tJvm);
                    steps++;
                    if (tJvm == tok.eosId() || step + 1 == maxTokens) break;
                    sJvm.advance(tJvm);
                    sDev.advance(tDev);
                }
            }
            System.out.printf("tornadovm vs jvm, tiny-224, %d examples, %d greedy steps: max |Δ| image tokens %.3g, "
                    + "logits %.3g%n", EXAMPLES, steps, worstImage, worstLogit);
            assertThat(worstImage).isLessThanOrEqualTo(1e-4);
            assertThat(worstLogit).isLessThanOrEqualTo(1e-4);
            assertThat(FallbackProbe.ranOnDevice(tornadoOps.device())).as("kernels ran on the device").isTrue();
            assertThat(tornadoOps.perOpPlans()).as("per-op plans compiled").isPositive();
            assertThat(tornadoOps.towerRuns().visionForwards() + tornadoOps.towerRuns().prefills()
                    + tornadoOps.towerRuns().decodeSteps()).as("tower graph runs").isZero();
        }
    }
}
