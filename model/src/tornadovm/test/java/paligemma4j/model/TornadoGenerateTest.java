package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.FallbackProbe;
import paligemma4j.kernels.tornado.TornadoOps;
import paligemma4j.kernels.tornado.TowerRuns;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * The route {@code generate --backend tornadovm} takes: the model over {@link TornadoOps} as a
 * {@link paligemma4j.kernels.TowerOps}, i.e. the vision tower and the greedy decoder as device-resident
 * task graphs ({@code encodeImage}, {@code prefillGreedy}, {@code decode}), against the JVM backend on
 * both tiny checkpoints with the prompts and images of the transformers golden files. Per example:
 * image tokens within 1e-4; prefix and every greedy step's logits within 1e-4 with the f32 KV cache;
 * with the bf16 cache within what bf16 rounding of the cache itself moves the JVM's prefix logits (see
 * the bound's comment); identical greedy tokens, which with the f32 cache are also transformers' own; {@code PaliGemma.decode} returns the JVM backend's ids. The same
 * model serves the f32 and then the bf16 cache, so the device decoder is reused across prompts and
 * rebuilt for the other cache precision. {@link TornadoOps#towerRuns()} proves the graphs ran (every
 * image, prefill and step counted), {@link TornadoOps#perOpPlans()} = 0 that nothing ran op by op.
 */
class TornadoGenerateTest {

    static final Path RES = Path.of("src/test/resources");
    static final int EXAMPLES = 3;

    @ParameterizedTest
    @ValueSource(strings = {"224", "448"})
    void towerGraphsGiveTheJvmBackendsTokensAndLogits(String res) throws Exception {
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        Path ckpt = RES.resolve("tiny/tiny-" + res + ".npz");
        try (JvmOps jvmOps = new JvmOps(2);
             TornadoOps tornadoOps = new TornadoOps();
             Golden g = new Golden(RES.resolve("tiny/hf-golden-" + res + ".npz"));
             PaliGemma jvm = PaliGemma.load(ckpt, jvmOps);
             PaliGemma dev = PaliGemma.load(ckpt, tornadoOps)) {
            int r = g.scalar("resolution"), maxTokens = g.scalar("max_tokens");
            float[][] zJvm = new float[EXAMPLES][], zDev = new float[EXAMPLES][];
            double worstImage = 0;
            for (int b = 0; b < EXAMPLES; b++) {
                float[] pixels = TransformersParityTest.hashImage(g.ints("image_index")[b], r);
                zJvm[b] = jvm.encodeImage(pixels, StageObserver.NONE);
                long t0 = System.nanoTime();
                zDev[b] = dev.encodeImage(pixels, StageObserver.NONE);
                System.out.printf("tiny-%s example %d: vision tower graph %.1f ms (the first compiles)%n", res, b,
                        (System.nanoTime() - t0) / 1e6);
                worstImage = Math.max(worstImage, TransformersParityTest.maxAbsDiff(zDev[b], zJvm[b]));
            }
            int steps = 0, prefills = 0;
            double bf16Effect = 0;
            for (KVCache.Precision precision : new KVCache.Precision[] {KVCache.Precision.F32, KVCache.Precision.BF16}) {
                double worstLogit = 0;
                for (int b = 0; b < EXAMPLES; b++) {
                    int[] ids = g.ragged("text_ids", "text_offsets", b);
                    long t0 = System.nanoTime();
                    Prefix prefix = dev.prefillGreedy(zDev[b], ids, maxTokens, precision);
                    double prefillMs = (System.nanoTime() - t0) / 1e6;
                    prefills++;
                    assertThat(prefix.device()).as("prefix on the device").isNotNull();
                    DecodeState sDev = dev.decodeState(prefix);
                    DecodeState sJvm = jvm.decodeState(jvm.prefill(zJvm[b], ids, maxTokens, precision, StageObserver.NONE));
                    if (precision == KVCache.Precision.BF16) {
                        float[] f32 = jvm.prefill(zJvm[b], ids, 0, KVCache.Precision.F32, StageObserver.NONE).logits();
                        bf16Effect = Math.max(bf16Effect, TransformersParityTest.maxAbsDiff(sJvm.logits(), f32));
                    }
                    int[] tokens = new int[maxTokens];
                    int n = 0;
                    for (int step = 0; step < maxTokens; step++) {
                        worstLogit = Math.max(worstLogit, TransformersParityTest.maxAbsDiff(sDev.logits(), sJvm.logits()));
                        int tJvm = GreedyDecoder.argmax(sJvm.logits());
                        assertThat(GreedyDecoder.argmax(sDev.logits())).as("%s greedy token %d of example %d", precision,
                                step, b).isEqualTo(tJvm);
                        if (tJvm == tok.eosId()) break;
                        tokens[n++] = tJvm;
                        if (step + 1 == maxTokens) break;
                        sJvm.advance(tJvm);
                        sDev.advance(tJvm);
                        steps++;
                    }
                    System.out.printf("tiny-%s example %d, %s cache: prefill graph %.1f ms, %d tokens%n", res, b,
                            precision, prefillMs, n);
                    if (precision == KVCache.Precision.F32) {
                        assertThat(Arrays.copyOf(tokens, n)).as("transformers' greedy tokens of example %d", b)
                                .containsExactly(goldenGreedy(g, b, maxTokens, tok.eosId()));
                    }
                    // PaliGemma.decode as generate calls it, on a fresh greedy prefix
                    int[] viaDecode = dev.decode(dev.prefillGreedy(zDev[b], ids, maxTokens, precision), 1, maxTokens,
                            tok.eosId());
                    prefills++;
                    steps += Math.max(0, Math.min(viaDecode.length + 1, maxTokens) - 1);
                    assertThat(viaDecode).as("decode() ids of example %d", b).containsExactly(
                            jvm.decode(jvm.prefill(zJvm[b], ids, maxTokens, precision, StageObserver.NONE), 1, maxTokens,
                                    tok.eosId()));
                }
                System.out.printf("tower graphs vs jvm, tiny-%s, %s cache: max |Δ| image tokens %.3g, logits %.3g%s%n", res,
                        precision, worstImage, worstLogit, precision == KVCache.Precision.BF16
                                ? String.format(" (bf16 vs f32 cache on the JVM, prefix logits: %.3g)", bf16Effect) : "");
                // f32 cache: float32 rounding only. bf16 cache: a ~1e-6 device/JVM difference that straddles a
                // rounding midpoint flips a cached value by one bf16 ulp, which moves the logits by a part of what
                // rounding the whole cache to bf16 moves them (measured 1.5e-3 of 1.2e-2 on tiny-224, 4.7e-3 of
                // 1.9e-2 on tiny-448); the greedy tokens must still be identical.
                assertThat(worstLogit).as("%s logits", precision)
                        .isLessThanOrEqualTo(precision == KVCache.Precision.F32 ? 1e-4 : bf16Effect);
            }
            assertThat(worstImage).isLessThanOrEqualTo(1e-4);
            TowerRuns runs = tornadoOps.towerRuns();
            System.out.println("tower runs: " + runs + "; per-op plans " + tornadoOps.perOpPlans());
            assertThat(runs.visionForwards()).as("vision tower graph runs").isEqualTo(EXAMPLES);
            assertThat(runs.prefills()).as("decoder graph prefills").isEqualTo(prefills);
            assertThat(runs.decodeSteps()).as("decoder graph steps").isEqualTo(steps);
            assertThat(tornadoOps.perOpPlans()).as("per-op plans compiled").isZero();
            assertThat(FallbackProbe.ranOnDevice(tornadoOps.device())).as("kernels ran on the device").isTrue();
        }
    }

    /** transformers' greedy ids of example {@code b} before its first {@code <eos>}. */
    static int[] goldenGreedy(Golden g, int b, int maxTokens, int eosId) {
        int len = g.ints("greedy_lengths")[b];
        int[] all = Arrays.copyOfRange(g.ints("greedy_tokens"), b * maxTokens, b * maxTokens + len);
        return all.length > 0 && all[all.length - 1] == eosId ? Arrays.copyOf(all, all.length - 1) : all;
    }
}
