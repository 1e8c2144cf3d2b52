package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.WeightType;
import paligemma4j.kernels.tornado.TornadoOps;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * Every decode the model runs on a whole-tower backend stays in the device-resident graphs: greedy and beam search
 * (2 hypotheses: one KV cache region per hypothesis, each step one batch, the caches reordered on the device), bf16 and
 * Q8_0 weights (int8 values and block scales on the device), PaliGemma 1 (tiny-224, multi-query) and PaliGemma 2 (the
 * tiny Gemma 2 checkpoint: post norms, both soft-caps, grouped K/V heads, and a sliding window short enough to bite in
 * the prefix). Each case against the JVM backend over the same converted weights: identical greedy and beam ids, the
 * prefix logits within 1e-3 (f32 cache: float32 summation-order noise only). The route is proved by counters: every
 * image, prefill and step counted by {@code towerRuns()}, no per-op plan compiled ({@code perOpPlans() = 0}), and no
 * "op by op" line on stderr; {@link paligemma4j.kernels.tornado.FallbackProbe} ran in the {@link TornadoOps}
 * constructor (bailout off, so no kernel ran as Java).
 */
class TornadoDecodeRoutesTest {

    static final Path RES = Path.of("src/test/resources");
    static final Path G2 = Path.of("..", "eval", "src", "test", "resources", "parity", "gemma2");
    static final Path G2_IMAGE = Path.of("..", "eval", "src", "test", "resources", "parity", "test.png");

    /** The fixture's checkpoint: {@code g2-224} (PaliGemma 2, bf16) or a tiny PaliGemma one. */
    private static Path checkpoint(String fixture) {
        return fixture.equals("g2-224") ? G2.resolve("g2-224-bf16.npz") : RES.resolve("tiny/" + fixture + ".npz");
    }

    /** The decoder settings the fixture's reference used: PaliGemma 2's soft-caps and {@code window}, else none. */
    private static GemmaSettings.Overrides settings(String fixture, int window) {
        return fixture.equals("g2-224") ? new GemmaSettings.Overrides(30f, 50f, null, window) : GemmaSettings.Overrides.NONE;
    }

    @ParameterizedTest(name = "{0} {1} window {2}")
    @CsvSource({
            "tiny-224, BF16, 0",
            "tiny-224, Q8_0, 0",
            "g2-224, BF16, 100",
            "g2-224, Q8_0, 100",
    })
    void greedyAndBeamSearchRunInTheGraphs(String fixture, WeightType weights, int window) throws Exception {
        Path ckpt = checkpoint(fixture);
        var settings = settings(fixture, window);
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        WeightConverter convert = WeightConversions.to(weights);
        int maxTokens = 10;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (JvmOps jvmOps = new JvmOps(2);
             TornadoOps tornadoOps = new TornadoOps();
             PaliGemma jvm = PaliGemma.load(ckpt, jvmOps, convert, settings)) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (PaliGemma dev = PaliGemma.load(ckpt, tornadoOps, convert, settings)) {
                assertThat(dev.settings().slidingWindow()).isEqualTo(window);
                int r = jvm.config().vision().resolution();
                // PaliGemma 1: two examples of the transformers golden file (their image and prompt); PaliGemma 2: the
                // parity image with two prompts. Each decodes several tokens before <eos> (checked below).
                List<float[]> images = new ArrayList<>();
                List<int[]> prompts = new ArrayList<>();
                if (fixture.equals("g2-224")) {
                    float[] pixels = ImagePreprocessor.preprocess(G2_IMAGE, r, Resize.BILINEAR);
                    for (String prompt : new String[] {"caption en", "detect cat ; dog"}) {
                        images.add(pixels);
                        prompts.add(tok.prefixTokens(prompt));
                    }
                } else {
                    try (Golden g = new Golden(RES.resolve("tiny/hf-golden-224.npz"))) {
                        for (int b = 0; b < 2; b++) {
                            images.add(TransformersParityTest.hashImage(g.ints("image_index")[b], r));
                            prompts.add(g.ragged("text_ids", "text_offsets", b));
                        }
                    }
                }
                int prefills = 0, longest = 0;
                for (int e = 0; e < images.size(); e++) {
                    int[] ids = prompts.get(e);
                    float[] zJvm = jvm.encodeImage(images.get(e), StageObserver.NONE);
                    float[] zDev = dev.encodeImage(images.get(e), StageObserver.NONE);
                    String prompt = tok.decode(ids);
                    for (int beams : new int[] {2, 1}) {     // beams first: the greedy decode reuses that decoder
                        Prefix host = jvm.prefill(zJvm, ids, maxTokens, KVCache.Precision.F32, StageObserver.NONE);
                        Prefix device = dev.prefillFor(zDev, ids, maxTokens, KVCache.Precision.F32, beams);
                        prefills++;
                        assertThat(device.device()).as("prefix on the device").isNotNull();
                        double prefixDiff = TransformersParityTest.maxAbsDiff(device.logits(), host.logits());
                        int[] expected = jvm.decode(host, beams, maxTokens, tok.eosId());
                        int[] actual = dev.decode(device, beams, maxTokens, tok.eosId());
                        System.out.printf("%s %s window %d, \"%s\", beam %d: %d tokens, prefix logits within %.3g%n",
                                fixture, weights, window, prompt, beams, actual.length, prefixDiff);
                        assertThat(actual).as("%s beam %d ids", prompt, beams).containsExactly(expected);
                        longest = Math.max(longest, actual.length);
                        assertThat(prefixDiff).isLessThanOrEqualTo(1e-3);
                    }
                }
                assertThat(longest).as("some decode ran several steps").isGreaterThanOrEqualTo(3);
                assertThat(tornadoOps.towerRuns().visionForwards()).isEqualTo(images.size());
                assertThat(tornadoOps.towerRuns().prefills()).isEqualTo(prefills);
                assertThat(tornadoOps.towerRuns().decodeSteps()).isPositive();
                assertThat(tornadoOps.perOpPlans()).as("per-op plans: nothing ran op by op").isZero();
            } finally {
                System.setErr(err);
                System.err.print(captured.toString(StandardCharsets.UTF_8));
            }
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("op by op");
    }

    /**
     * The device decoder's beams against the JVM's forked host caches, forks chosen so that every reorder case runs:
     * both hypotheses from the prefix, then crossed parents (the two cache regions swap), then both from one parent
     * (the other region dropped), with fixed tokens so that the test does not depend on what the tiny model predicts
     * (its beam searches often finish at once on {@code <eos>}). Every hypothesis's logits within 1e-4 (f32 cache).
     */
    @ParameterizedTest(name = "{0} {1} window {2}")
    @CsvSource({
            "tiny-224, BF16, 0",
            "tiny-224, Q8_0, 0",
            "g2-224, Q8_0, 3",
    })
    void beamForksReorderTheDeviceCaches(String fixture, WeightType weights, int window) throws Exception {
        Path ckpt = checkpoint(fixture);
        var settings = settings(fixture, window);
        WeightConverter convert = WeightConversions.to(weights);
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        try (JvmOps jvmOps = new JvmOps(2);
             TornadoOps tornadoOps = new TornadoOps();
             PaliGemma jvm = PaliGemma.load(ckpt, jvmOps, convert, settings);
             PaliGemma dev = PaliGemma.load(ckpt, tornadoOps, convert, settings)) {
            float[] pixels = TransformersParityTest.hashImage(1, jvm.config().vision().resolution());
            float[] z = jvm.encodeImage(pixels, StageObserver.NONE);
            int[] ids = tok.prefixTokens("caption en");
            DecodeState host = jvm.decodeState(jvm.prefill(z, ids, 4, KVCache.Precision.F32, StageObserver.NONE));
            DecodeState device = dev.decodeState(dev.prefillFor(z, ids, 4, KVCache.Precision.F32, 2));
            // step 1: both from the prefix; step 2: crossed; step 3: both from the first of step 2
            DecodeState a = host.fork(5), b = host.fork(17), da = device.fork(5), db = device.fork(17);
            double worst = Math.max(diff(a, da), diff(b, db));
            DecodeState c = b.fork(40), d = a.fork(100), dc = db.fork(40), dd = da.fork(100);
            worst = Math.max(worst, Math.max(diff(c, dc), diff(d, dd)));
            DecodeState e = c.fork(7), f = c.fork(9), de = dc.fork(7), df = dc.fork(9);
            worst = Math.max(worst, Math.max(diff(e, de), diff(f, df)));
            System.out.printf("%s %s window %d: beam forks, worst logit difference %.3g%n", fixture, weights, window, worst);
            assertThat(worst).isLessThanOrEqualTo(1e-4);
            assertThat(tornadoOps.towerRuns().decodeSteps()).as("three batched steps").isEqualTo(3);
            assertThat(tornadoOps.perOpPlans()).isZero();
            assertThatThrownBy(() -> da.fork(3)).as("a state of an older step").isInstanceOf(IllegalStateException.class);
        }
    }

    private static double diff(DecodeState host, DecodeState device) {
        float[] dl = device.logits();
        return TransformersParityTest.maxAbsDiff(dl, host.logits());
    }
}
