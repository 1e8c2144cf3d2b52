package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.Ops;
import paligemma4j.model.DecodeState;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.StageObserver;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code --sliding-window 16} against transformers' PaliGemma 2 with {@code sliding_window = 16}
 * (scripts/parity/sliding_window_golden.py, transformers 5.25; 4.57 gives the same ids): the window bites on the
 * generated tokens only (the 265-position prefix is bidirectional and not windowed), so the greedy ids are
 * transformers' with the option and transformers' unwindowed ids without it; the logits that chose each id agree.
 */
class SlidingWindowGoldenTest {
    private static final Path CKPT = Gemma2ParityTest.G2.resolve("g2-224-bf16.npz");
    private static final Path GOLDEN = Gemma2ParityTest.G2.resolve("sliding16-g2-224-caption.npz");
    private static final Path IMAGE = ParityCommandTest.PAR.resolve("test.png");

    private static int[] generate(String... extra) throws Exception {
        List<String> argv = new ArrayList<>(List.of("generate", "--checkpoint", CKPT.toString(), "--tokenizer",
                ParityCommandTest.TOK, "--image", IMAGE.toString(), "--prompt", "caption en", "--max-tokens", "16",
                "--kv-cache", "f32", "--json"));
        argv.addAll(List.of(extra));
        GenerateCommandTest.Result r = GenerateCommandTest.run(argv.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode tokens = new ObjectMapper().readTree(r.out()).get("tokens");
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).asInt();
        return ids;
    }

    private static int[] golden(String key) throws Exception {
        try (Checkpoint g = Checkpoint.open(GOLDEN)) {
            return ParityCommand.ints(g.get(key));
        }
    }

    @Test
    void greedyIdsAreTransformersWithAndWithoutTheWindow() throws Exception {
        int[] windowed = golden("tokens/greedy"), plain = golden("tokens/greedy_no_window");
        assertThat(windowed).isNotEqualTo(plain);
        assertThat(generate("--sliding-window", "16")).containsExactly(windowed);
        assertThat(generate()).containsExactly(plain);
    }

    @Test
    void theLogitsOfEveryStepAgreeOnBothBackends() throws Exception {
        float[][] naive = stepLogits(new NaiveOps()), jvm = stepLogits(new JvmOps(2));
        float[] ref;
        int[] ids = golden("tokens/greedy");
        try (Checkpoint g = Checkpoint.open(GOLDEN)) {
            ref = g.get("logits/steps").toFloatArray();
        }
        int v = ref.length / ids.length;
        for (int step = 0; step < ids.length; step++) {
            double worst = 0;
            for (int i = 0; i < v; i++) {
                worst = Math.max(worst, Math.abs(jvm[step][i] - ref[step * v + i]));
                assertThat(naive[step][i]).as("step %d id %d: NaiveOps vs JvmOps", step, i).isCloseTo(jvm[step][i],
                        org.assertj.core.data.Offset.offset(2e-4f));
            }
            assertThat(worst).as("step %d: max |Java − transformers|", step).isLessThanOrEqualTo(5e-4);
        }
    }

    /**
     * The logits that choose each golden id: the prefill's (transformers 5 final-soft-caps it, big_vision and the
     * port do not, so the cap is applied here), then one decode step per id, window 16.
     */
    private static float[][] stepLogits(Ops ops) throws Exception {
        int[] ids = golden("tokens/greedy");
        Tokenizer tok = Tokenizer.load(Path.of(ParityCommandTest.TOK));
        var settings = new GemmaSettings.Overrides(null, null, null, 16);
        try (PaliGemma m = PaliGemma.load(CKPT, ops, WeightConverter.STORED, settings)) {
            float[] z = m.encodeImage(ImagePreprocessor.preprocess(IMAGE, 224, Resize.BILINEAR), StageObserver.NONE);
            Prefix p = m.prefill(z, tok.prefixTokens("caption en"), ids.length, KVCache.Precision.F32, StageObserver.NONE);
            DecodeState s = m.decodeState(p);
            float[][] out = new float[ids.length][];
            float cap = m.settings().finalLogitSoftCap();
            out[0] = s.logits().clone();
            for (int i = 0; i < out[0].length; i++) out[0][i] = (float) (Math.tanh(out[0][i] / cap) * cap);
            for (int step = 1; step < ids.length; step++) out[step] = s.advance(ids[step - 1]).logits().clone();
            return out;
        } finally {
            if (ops instanceof AutoCloseable c) c.close();
        }
    }
}
