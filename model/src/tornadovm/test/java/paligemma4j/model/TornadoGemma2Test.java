package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.checkpoint.paligemma.QueryScale;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.TornadoOps;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * PaliGemma 2 through the TornadoVM backend's task graphs (post norms as {@code rmsNormAdd} kernels, the attention
 * soft-cap in the attention kernel, the final soft-cap of decode steps as its own kernel, grouped K/V heads) on the
 * tiny big_vision Gemma 2 checkpoints of eval/src/test/resources/parity/gemma2: big_vision's greedy ids (bf16 KV
 * cache, as its decode) and the JVM backend's greedy ids with both caches, every step's logits within 2e-4 of the
 * JVM backend's with the float32 cache.
 */
class TornadoGemma2Test {

    static final Path G2 = Path.of("..", "eval", "src", "test", "resources", "parity", "gemma2");
    static final Path IMAGE = Path.of("..", "eval", "src", "test", "resources", "parity", "test.png");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "g2-224-bf16.npz|dump-g2-224-caps.npz|caption en|2|12|head-dim",
            "g2-224-bf16.npz|dump-g2-224-caption.npz|caption en|50|30|head-dim",
            "g2-448-f32.npz|tokens-g2-448-wph.npz|detect cat ; dog|3|12|width-per-head",
    })
    void towerGraphsGiveBigVisionsGreedyIds(String ckpt, String golden, String prompt, float attnCap, float finalCap,
                                            String queryScale) throws Exception {
        Tokenizer tok = Tokenizer.load(Path.of("src/test/resources/tokenizer/tiny.model"));
        var settings = new GemmaSettings.Overrides(finalCap, attnCap, QueryScale.parse(queryScale), null);
        int[] expected;
        int maxTokens;
        try (Checkpoint dump = Checkpoint.open(G2.resolve(golden))) {
            expected = ints(dump, "tokens/greedy");
            maxTokens = ints(dump, "meta/max_tokens")[0];
        }
        try (JvmOps jvmOps = new JvmOps(2);
             TornadoOps tornadoOps = new TornadoOps();
             PaliGemma jvm = PaliGemma.load(G2.resolve(ckpt), jvmOps, WeightConverter.STORED, settings);
             PaliGemma dev = PaliGemma.load(G2.resolve(ckpt), tornadoOps, WeightConverter.STORED, settings)) {
            float[] pixels = ImagePreprocessor.preprocess(IMAGE, jvm.config().vision().resolution(), Resize.BILINEAR);
            int[] ids = tok.prefixTokens(prompt);
            float[] zDev = dev.encodeImage(pixels, StageObserver.NONE), zJvm = jvm.encodeImage(pixels, StageObserver.NONE);
            for (KVCache.Precision precision : new KVCache.Precision[] {KVCache.Precision.F32, KVCache.Precision.BF16}) {
                Prefix prefix = dev.prefillGreedy(zDev, ids, maxTokens, precision);
                assertThat(prefix.device()).as("prefix on the device").isNotNull();
                DecodeState sDev = dev.decodeState(prefix);
                DecodeState sJvm = jvm.decodeState(jvm.prefill(zJvm, ids, maxTokens, precision, StageObserver.NONE));
                List<Integer> tokens = new ArrayList<>();
                double worst = 0;
                for (int step = 0; step < maxTokens; step++) {
                    worst = Math.max(worst, TransformersParityTest.maxAbsDiff(sDev.logits(), sJvm.logits()));
                    int t = GreedyDecoder.argmax(sDev.logits());
                    assertThat(t).as("%s greedy token %d", precision, step).isEqualTo(GreedyDecoder.argmax(sJvm.logits()));
                    if (t == tok.eosId()) break;
                    tokens.add(t);
                    if (step + 1 == maxTokens) break;
                    sDev.advance(t);
                    sJvm.advance(t);
                }
                System.out.printf("%s %s, %s cache: %d tokens, worst logit difference %.3g%n", ckpt, golden, precision,
                        tokens.size(), worst);
                if (precision == KVCache.Precision.F32) {
                    // float32 noise of two summation orders (and of OpenCL's tanh) through two layers, logits ≤ 30
                    assertThat(worst).isLessThanOrEqualTo(2e-4);
                } else {
                    // big_vision decodes with the bf16 cache; a key that rounds the other way moves logits by more
                    assertThat(tokens).containsExactly(java.util.Arrays.stream(expected).boxed().toArray(Integer[]::new));
                }
            }
            assertThat(tornadoOps.towerRuns().prefills()).isEqualTo(2);
        }
    }

    private static int[] ints(Checkpoint c, String key) {
        var t = c.get(key);
        int[] out = new int[(int) t.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) t.getFloat(i);
        return out;
    }
}
