package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.WeightType;

/**
 * The accuracy cost of Q8_0 weights ({@code --weights q8}) against the stored float32 weights on
 * the tiny checkpoints, next to the cost of bfloat16 weights as a yardstick: prefix logits and 12
 * greedy steps from a synthetic image, all with JvmOps. Measured (the test prints it):
 * <pre>
 *              max |Δlogit| q8 (bf16)   max |logit|   greedy tokens equal to f32, q8 (bf16)
 * tiny-224     0.108 (0.029)            3.3           1/12 (12/12): q8 picks 2155 over 1786 at step 2
 * tiny-448     0.096 (0.050)            3.7           12/12 (12/12)
 * </pre>
 * Q8_0's per-weight error (≤ half a scale, i.e. ≤ 0.4 % of its block's largest magnitude) is a
 * few times bf16's (≤ 2⁻⁹ relative), and so is the logit error. Asserted: q8 Δ ≤ 5 × bf16 Δ and
 * ≤ 5 % of the largest logit, and the first greedy token equal (later ones on these random tiny
 * models follow near-ties). A Q8_0 indexing bug moves logits by the size of the logits.
 */
class Q8AccuracyTest {

    static final int STEPS = 12;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-224.npz", "tiny-448.npz"})
    void q8LogitsStayCloseToF32AndGreedyTokensAgree(String file) {
        Path ckpt = Path.of("src/test/resources/tiny", file);
        Result f32, q8, bf16;
        try (JvmOps ops = new JvmOps(2)) {
            f32 = run(ckpt, ops, WeightConverter.STORED);
            q8 = run(ckpt, ops, WeightConversions.to(WeightType.Q8_0));
            bf16 = run(ckpt, ops, WeightConversions.to(WeightType.BF16));
        }
        double bfDelta = 0;
        for (int i = 0; i < f32.prefixLogits.length; i++) {
            bfDelta = Math.max(bfDelta, Math.abs(f32.prefixLogits[i] - bf16.prefixLogits[i]));
        }
        int bfAgree = 0;
        while (bfAgree < STEPS && f32.tokens[bfAgree] == bf16.tokens[bfAgree]) bfAgree++;
        System.out.printf("bf16 vs f32 on %s: max |Δlogit| %.5f, greedy %d/%d equal; tokens f32 %s q8 %s bf16 %s%n",
                file, bfDelta, bfAgree, STEPS, java.util.Arrays.toString(f32.tokens),
                java.util.Arrays.toString(q8.tokens), java.util.Arrays.toString(bf16.tokens));
        double maxDelta = 0, span = 0;
        for (int i = 0; i < f32.prefixLogits.length; i++) {
            maxDelta = Math.max(maxDelta, Math.abs(f32.prefixLogits[i] - q8.prefixLogits[i]));
            span = Math.max(span, Math.abs(f32.prefixLogits[i]));
        }
        int agree = 0;
        while (agree < STEPS && f32.tokens[agree] == q8.tokens[agree]) agree++;
        System.out.printf("Q8_0 vs f32 on %s: max |Δlogit| %.5f (max |logit| %.3f), greedy %d/%d equal%n",
                file, maxDelta, span, agree, STEPS);
        assertThat(maxDelta).isLessThanOrEqualTo(5 * bfDelta).isLessThanOrEqualTo(0.05 * span);
        assertThat(agree).isGreaterThanOrEqualTo(1);
    }

    record Result(float[] prefixLogits, int[] tokens) {}

    static Result run(Path ckpt, Ops ops, WeightConverter convert) {
        try (PaliGemma m = PaliGemma.load(ckpt, ops, convert)) {
            int r = m.config().vision().resolution();
            float[] pixels = new float[r * r * 3];
            for (int i = 0; i < pixels.length; i++) pixels[i] = ((i * 37) % 101) / 50f - 1f;
            int[] ids = {2, 40, 41, 42, 108};
            Prefix p = m.prefill(m.encodeImage(pixels, StageObserver.NONE), ids, STEPS, KVCache.Precision.F32,
                    StageObserver.NONE);
            float[] prefixLogits = p.logits().clone();
            DecodeState s = m.decodeState(p);
            int[] tokens = new int[STEPS];
            for (int t = 0; t < STEPS; t++) {
                tokens[t] = GreedyDecoder.argmax(s.logits());
                if (t + 1 < STEPS) s.advance(tokens[t]);
            }
            return new Result(prefixLogits, tokens);
        }
    }
}
