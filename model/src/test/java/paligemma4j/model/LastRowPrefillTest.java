package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.parity.StageRecorder;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * A prefill without an observer runs the last layer's queries, attention and MLP for the last prefix
 * row only: the same next-token logits (up to the summation order of one-row products) and the same
 * KV cache, bit for bit, as the full prefill the parity tools observe.
 */
class LastRowPrefillTest {

    @Test
    void lastRowPrefillMatchesTheFullPrefix() throws Exception {
        Path res = Path.of("src/test/resources");
        Tokenizer tok = Tokenizer.load(res.resolve("tokenizer/tiny.model"));
        try (JvmOps ops = new JvmOps(2); PaliGemma m = PaliGemma.load(res.resolve("tiny/tiny-224.npz"), ops)) {
            float[] z = m.encodeImage(TransformersParityTest.hashImage(3, 224), StageObserver.NONE);
            int[] ids = tok.prefixTokens("caption en");
            Prefix full = m.prefill(z, ids, 4, KVCache.Precision.F32, new StageRecorder());
            Prefix last = m.prefill(z, ids, 4, KVCache.Precision.F32, StageObserver.NONE);

            assertThat(last.length()).isEqualTo(full.length());
            float[] a = full.logits(), b = last.logits();
            assertThat(b).hasSameSizeAs(a);
            float scale = 0f;
            for (float v : a) scale = Math.max(scale, Math.abs(v));
            assertThat(scale).isGreaterThan(0f);
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).as("logit %d", i).isCloseTo(a[i], within(1e-5f * scale));
            }
            assertThat(ops.argmax(b, 0, b.length)).isEqualTo(ops.argmax(a, 0, a.length));

            int rowFloats = full.length() * full.cache().rowWidth();
            for (int l = 0; l < m.config().llm().depth(); l++) {
                assertThat(java.util.Arrays.copyOf(last.cache().keys(l), rowFloats)).as("keys, layer %d", l)
                        .containsExactly(java.util.Arrays.copyOf(full.cache().keys(l), rowFloats));
                assertThat(java.util.Arrays.copyOf(last.cache().values(l), rowFloats)).as("values, layer %d", l)
                        .containsExactly(java.util.Arrays.copyOf(full.cache().values(l), rowFloats));
            }
        }
    }
}
