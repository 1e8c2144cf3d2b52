package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;
import paligemma4j.model.parity.StageRecorder;

/**
 * With Q8_0 weights and a head_dim that is a multiple of the Q8_0 block, the JVM backend prepares Gemma's query, key
 * and value heads so that decode steps run them as one side-by-side product. Every output column's sum is
 * unchanged, so the logits and the KV cache equal those of the separate stored products bit for bit, after a
 * prefill by either path (last row only, and observed). (The tiny checkpoints' head_dim of 24 and 16 do not fit the
 * Q8_0 block; this model is made in memory with head_dim 32.)
 */
class FusedProjectionsTest {

    static final GemmaConfig CONFIG = new GemmaConfig(300, 64, 2, 2, 1, 32, 96);

    @Test
    void fusedQueryKeyValueProductsGiveTheSameLogitsAndCacheBitForBit() {
        DecoderTower q8 = randomWeights(CONFIG, 7).map(WeightConversions.to(WeightType.Q8_0)::convert);
        int rows = 9;
        float[] x = uniform(3, rows * CONFIG.width(), 1f);
        try (JvmOps ops = new JvmOps(2)) {
            Gemma fused = new Gemma(CONFIG, q8, WeightType.F32, ops);
            Gemma separate = new Gemma(CONFIG, q8, WeightType.F32, new StoredWeightsOps(ops));
            for (boolean observed : new boolean[] {false, true}) {
                KVCache cf = fused.newCache(16, KVCache.Precision.F32), cs = separate.newCache(16, KVCache.Precision.F32);
                float[] lf = fused.prefill(x.clone(), rows, 4, cf, observed ? new StageRecorder() : StageObserver.NONE);
                float[] ls = separate.prefill(x.clone(), rows, 4, cs, observed ? new StageRecorder() : StageObserver.NONE);
                assertThat(lf).as("prefill logits, observed %s", observed).containsExactly(ls);
                float span = 0f;
                for (float v : ls) span = Math.max(span, Math.abs(v));
                assertThat(span).isGreaterThan(0f);
                for (int step = 0; step < 3; step++) {
                    int token = 5 + 40 * step;
                    assertThat(fused.decodeStep(token, rows + step, cf))
                            .as("decode step %d, observed %s", step, observed)
                            .containsExactly(separate.decodeStep(token, rows + step, cs));
                }
                for (int l = 0; l < CONFIG.depth(); l++) {
                    assertThat(cf.keys(l)).as("keys, layer %d", l).containsExactly(cs.keys(l));
                    assertThat(cf.values(l)).as("values, layer %d", l).containsExactly(cs.values(l));
                }
            }
        }
    }

    /** A float32 Gemma with uniform weights of scale 1/√fan-in (norm offsets small). */
    static DecoderTower randomWeights(GemmaConfig c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = c.width(), hd = c.headDim();
        List<DecoderTower.Block> layers = new ArrayList<>();
        for (int l = 0; l < c.depth(); l++) {
            Weight[] query = new Weight[c.heads()], key = new Weight[c.kvHeads()], value = new Weight[c.kvHeads()];
            for (int n = 0; n < c.heads(); n++) query[n] = matrix(rnd, d, hd);
            for (int g = 0; g < c.kvHeads(); g++) {
                key[g] = matrix(rnd, d, hd);
                value[g] = matrix(rnd, d, hd);
            }
            layers.add(new DecoderTower.Block(vector(rnd, d), query, key, value, matrix(rnd, c.heads() * hd, d),
                    vector(rnd, d), matrix(rnd, d, c.mlp()), matrix(rnd, d, c.mlp()), matrix(rnd, c.mlp(), d)));
        }
        return new DecoderTower(d, c.heads(), c.kvHeads(), hd, c.mlp(), GemmaConfig.RMS_NORM_EPS, GemmaConfig.ROPE_BASE,
                c.queryScale(), List.copyOf(layers), vector(rnd, d), matrix(rnd, c.vocab(), d));
    }

    private static Weight matrix(SplittableRandom rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        float scale = (float) (1 / Math.sqrt(rows));
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble(-1, 1) * scale);
        return Weight.of(v, rows, cols);
    }

    private static float[] vector(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextDouble(-0.1, 0.1);
        return v;
    }

    static float[] uniform(long seed, int n, float scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextDouble(-scale, scale);
        return v;
    }
}
