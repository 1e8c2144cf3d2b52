package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code --sliding-window N} (transformers' Gemma 2: on the even layers a generated token sees the last N positions;
 * the bidirectional prefix is not windowed): a window as long as the sequence changes nothing, bit for bit; a shorter
 * one leaves the prefill's logits as they are and changes every decode step.
 */
class SlidingWindowTest {

    private static final Path RES = Path.of("src/test/resources");

    /** Prefill logits, then the logits of two decode steps, with the given window (null = off). */
    private static float[][] run(Integer window) throws Exception {
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        var settings = new GemmaSettings.Overrides(null, null, null, window);
        try (JvmOps ops = new JvmOps(2);
             PaliGemma m = PaliGemma.load(RES.resolve("tiny/tiny-224.npz"), ops, WeightConverter.STORED, settings)) {
            assertThat(m.settings().slidingWindow()).isEqualTo(window == null ? 0 : window);
            float[] z = m.encodeImage(TransformersParityTest.hashImage(3, 224), StageObserver.NONE);
            Prefix p = m.prefill(z, tok.prefixTokens("caption en"), 4, KVCache.Precision.F32, StageObserver.NONE);
            DecodeState s = m.decodeState(p);
            float[] first = s.logits().clone();
            float[] second = s.advance(7).logits().clone();
            float[] third = s.advance(9).logits().clone();
            return new float[][] {first, second, third};
        }
    }

    @Test
    void aWindowAsLongAsTheSequenceChangesNothing() throws Exception {
        float[][] off = run(null), whole = run(4096);
        for (int i = 0; i < off.length; i++) assertThat(whole[i]).as("step %d", i).containsExactly(off[i]);
    }

    @Test
    void aShortWindowLeavesThePrefillAndChangesEveryDecodeStep() throws Exception {
        float[][] off = run(null), shortWindow = run(16);
        assertThat(shortWindow[0]).as("prefill").containsExactly(off[0]);
        for (int i = 1; i < off.length; i++) assertThat(shortWindow[i]).as("step %d", i).isNotEqualTo(off[i]);
    }
}
