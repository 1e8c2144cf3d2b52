package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.tornado.DecoderGraph;
import paligemma4j.kernels.tornado.Devices;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * The device-resident Gemma decoder ({@link DecoderGraph}: a task graph per layer, KV cache and
 * residual stream on the device, fused QKV, RoPE + cache write, GeGLU and residual epilogues) against
 * the JVM backend's {@link Gemma} on the tiny 224 checkpoint: prefill logits and every greedy step's
 * logits within 1e-4 with the f32 cache (5e-3 with the bf16-rounded cache, rounded in the kernel by
 * arithmetic and in the JVM model by bits: see the bound's comment), identical greedy tokens.
 */
class TornadoDecoderTest {

    static final Path RES = Path.of("src/test/resources");
    static final int EXAMPLES = 4;

    @ParameterizedTest
    @EnumSource(KVCache.Precision.class)
    void prefillAndGreedyStepsMatchTheJvmDecoder(KVCache.Precision precision) throws Exception {
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        try (JvmOps ops = new JvmOps(2);
             Golden g = new Golden(RES.resolve("tiny/hf-golden-224.npz"));
             PaliGemma jvm = PaliGemma.load(RES.resolve("tiny/tiny-224.npz"), ops);
             Checkpoint ckpt = Checkpoint.open(RES.resolve("tiny/tiny-224.npz"))) {
            PaliGemmaWeights pw = PaliGemmaWeights.of(ckpt);
            int r = g.scalar("resolution"), maxTokens = g.scalar("max_tokens"), d = pw.config().llm().width();
            double worst = 0;
            int steps = 0;
            // one graph for every example: prefill restarts at position 0 and overwrites the cache rows
            int capacity = 0;
            for (int b = 0; b < EXAMPLES; b++) {
                capacity = Math.max(capacity, g.ragged("text_ids", "text_offsets", b).length);
            }
            capacity += pw.config().vision().numTokens() + maxTokens;
            try (DecoderGraph dev = new DecoderGraph(pw.llm(), capacity, precision == KVCache.Precision.BF16,
                    Devices.defaultDevice())) {
            for (int b = 0; b < EXAMPLES; b++) {
                int[] ids = g.ragged("text_ids", "text_offsets", b);
                float[] zimg = jvm.encodeImage(TransformersParityTest.hashImage(g.ints("image_index")[b], r), StageObserver.NONE);
                float[] text = jvm.gemma().embed(ids);
                int rows = zimg.length / d + ids.length;
                float[] x = new float[rows * d];
                System.arraycopy(zimg, 0, x, 0, zimg.length);
                System.arraycopy(text, 0, x, zimg.length, text.length);
                DecodeState ref = jvm.decodeState(jvm.prefill(zimg, ids, maxTokens, precision, StageObserver.NONE));
                {
                    long t0 = System.nanoTime();
                    float[] logits = dev.prefill(x, rows);
                    double prefillMs = (System.nanoTime() - t0) / 1e6;
                    long decodeNs = 0;
                    int stepsHere = 0;
                    for (int step = 0; step < maxTokens; step++) {
                        worst = Math.max(worst, TransformersParityTest.maxAbsDiff(logits, ref.logits()));
                        int token = GreedyDecoder.argmax(ref.logits());
                        assertThat(GreedyDecoder.argmax(logits)).as("token %d of example %d", step, b).isEqualTo(token);
                        steps++;
                        if (token == tok.eosId() || step + 1 == maxTokens) break;
                        ref.advance(token);
                        long t1 = System.nanoTime();
                        logits = dev.decode(jvm.gemma().embed(new int[] {token}));
                        decodeNs += System.nanoTime() - t1;
                        stepsHere++;
                    }
                    System.out.printf("decoder graph, tiny-224 example %d: %d prefix rows, prefill %.1f ms (the first "
                            + "includes compiling), %d decode steps %.2f ms%n", b, rows, prefillMs, stepsHere, decodeNs / 1e6);
                }
            }
            }
            System.out.printf("decoder graph vs JVM, %s cache: %d greedy steps, max |Δlogit| %.3g%n", precision, steps, worst);
            // f32 cache: float32 rounding only. bf16 cache: both sides round k and v to bf16, and a ~1e-6
            // device/JVM difference that straddles a rounding midpoint flips a cached value by one bf16 ulp
            // (2^-8 of it), which moves logits by 1e-4..1e-3 on this model (measured 1.5e-4 and 1.45e-3 in
            // two runs, depending on how many values straddle a midpoint): bound 5e-3, with the greedy tokens
            // still required to be identical.
            assertThat(worst).isLessThanOrEqualTo(precision == KVCache.Precision.F32 ? 1e-4 : 5e-3);
        }
    }
}
