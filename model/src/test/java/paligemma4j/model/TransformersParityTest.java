package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.parity.StageRecorder;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * The Java forward pass against Hugging Face transformers' PaliGemmaForConditionalGeneration (PyTorch,
 * float32) on the same tiny random weights, 56 prompts each: golden files made by
 * {@code scripts/reference/hf_golden.py} (see the commands in model/src/test/resources/tiny/README.md).
 * HF is run with big_vision's 0-indexed positions and unscaled image tokens (transformers 5.24 scales
 * only text embeddings, like big_vision), so what remains are float32 rounding differences: two-pass vs
 * Flax LayerNorm variance, q scaled before vs after q·k, summation order.
 */
class TransformersParityTest {

    static final Path RES = Path.of("src/test/resources");
    static final JvmOps OPS = new JvmOps(Runtime.getRuntime().availableProcessors());

    @AfterAll
    static void shutdown() {
        OPS.close();
    }

    /** HF's hash image: u8 = top byte of i·2654435761 (mod 2³²), pixels = u/127.5 − 1 in float32. */
    static float[] hashImage(int k, int r) {
        float[] px = new float[r * r * 3];
        for (int i = 0; i < px.length; i++) {
            long idx = (long) k * r * r * 3 + i;
            int u = (int) (((idx * 2654435761L) & 0xFFFFFFFFL) >>> 24);
            px[i] = (float) u / 127.5f - 1f;
        }
        return px;
    }

    @ParameterizedTest
    @ValueSource(strings = {"224", "448"})
    void logitsAndGreedyTokensMatchTransformers(String res) throws Exception {
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        try (Golden g = new Golden(RES.resolve("tiny/hf-golden-" + res + ".npz"));
             PaliGemma model = PaliGemma.load(RES.resolve("tiny/tiny-" + res + ".npz"), OPS)) {
            int examples = g.ints("image_index").length, vocab = g.scalar("vocab"), r = g.scalar("resolution");
            int maxTokens = g.scalar("max_tokens");
            assertThat(model.config().vision().resolution()).isEqualTo(r);
            assertThat(examples).isGreaterThanOrEqualTo(50);
            float[][] zimg = new float[Arrays.stream(g.ints("image_index")).max().orElseThrow() + 1][];
            double worstLast = 0, worstPrefix = 0, worstExact = 0, hfExact = 0;
            int exactChecked = g.has("bv64_prefix_offsets") ? g.ints("bv64_prefix_offsets").length - 1 : 0;
            int identical = 0;
            for (int b = 0; b < examples; b++) {
                int[] ids = g.ragged("text_ids", "text_offsets", b);
                assertThat(tok.prefixTokens(g.utf8("prompt_utf8", "prompt_offsets", b))).containsExactly(ids);
                int img = g.ints("image_index")[b];
                if (zimg[img] == null) zimg[img] = model.encodeImage(hashImage(img, r), StageObserver.NONE);

                // every prefix position: logits at the text positions of the first examples
                StageRecorder rec = new StageRecorder();
                boolean full = b + 1 < g.ints("logits_prefix_offsets").length || b < exactChecked;
                Prefix prefix = model.prefill(zimg[img], ids, maxTokens, KVCache.Precision.F32,
                        full ? rec : StageObserver.NONE);
                worstLast = Math.max(worstLast, maxAbsDiff(prefix.logits(), g.row("logits_last", b)));
                if (b < exactChecked) {
                    // float64 big_vision-semantics reference (hf_golden.py's own numpy forward pass)
                    float[] java = rec.stages().get(Stages.PREFIX_LOGITS).data();
                    int[] off = g.ints("bv64_prefix_offsets");
                    for (int t = off[b]; t < off[b + 1]; t++) {
                        float[] row = Arrays.copyOfRange(java, (t - off[b]) * vocab, (t - off[b] + 1) * vocab);
                        worstExact = Math.max(worstExact, maxAbsDiff(row, g.row("bv64_prefix_logits", t)));
                        if (t == off[b + 1] - 1) {
                            hfExact = Math.max(hfExact, maxAbsDiff(g.row("logits_last", b), g.row("bv64_prefix_logits", t)));
                        }
                    }
                }
                if (b + 1 < g.ints("logits_prefix_offsets").length) {
                    float[] java = rec.stages().get(Stages.PREFIX_LOGITS).data();
                    int[] off = g.ints("logits_prefix_offsets");
                    for (int t = off[b]; t < off[b + 1]; t++) {
                        float[] row = Arrays.copyOfRange(java, (t - off[b]) * vocab, (t - off[b] + 1) * vocab);
                        worstPrefix = Math.max(worstPrefix, maxAbsDiff(row, g.row("logits_prefix", t)));
                    }
                }

                int len = g.ints("greedy_lengths")[b];
                int[] all = Arrays.copyOfRange(g.ints("greedy_tokens"), b * maxTokens, b * maxTokens + len);
                int[] expected = all.length > 0 && all[all.length - 1] == tok.eosId() ? Arrays.copyOf(all, all.length - 1) : all;
                int[] java = GreedyDecoder.decode(model.decodeState(prefix), maxTokens, tok.eosId(),
                        GreedyDecoder.TokenListener.NONE);
                assertThat(java).as("greedy tokens of example %d", b).containsExactly(expected);
                identical++;
            }
            System.out.printf("transformers parity %s: %d examples, max |Δlogit| last position %.3g, "
                    + "all prefix text positions %.3g, greedy identical %d/%d; vs float64 reference: java %.3g, "
                    + "transformers %.3g%n",
                    res, examples, worstLast, worstPrefix, identical, examples, worstExact, hfExact);
            // Java is within 5e-5 of the exact (float64) big_vision semantics at every text position...
            assertThat(exactChecked).isGreaterThan(0);
            assertThat(worstExact).isLessThanOrEqualTo(5e-5);
            // ...and within 1e-4 of transformers at the position that drives decoding. At the other prefix
            // positions transformers' own float32 error (two-pass LayerNorm, q scaled after q·k) reaches
            // ~9e-5 against the exact reference (hf_golden.py meta: hf_vs_bv64_prefix), so there the bound is
            // 1e-4 + that: measured 1.2e-4 at one position of the 224 set.
            assertThat(worstLast).isLessThanOrEqualTo(1e-4);
            assertThat(worstPrefix).isLessThanOrEqualTo(1e-4 + 1e-4);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
