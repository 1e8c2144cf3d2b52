package paligemma4j.kernels.tornado;

import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Rows;
import static org.assertj.core.api.Assertions.assertThat;
import static paligemma4j.kernels.tornado.Random16.maxAbsDiff;
import static paligemma4j.kernels.tornado.Random16.uniform;
import static paligemma4j.kernels.tornado.Random16.weight;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.WeightType;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;

/**
 * {@link VisionTowerGraph} on a random 4-block tower with odd sizes (19 tokens, 2 heads of 8), bf16
 * and f32 weights mixed: the device-resident graphs, whose activation scratch is one device copy
 * handed from block to block, against the {@link NaiveOps} sequence that {@code SiglipEncoder} runs;
 * twice on different patches, so the hand-over also holds on the second execution of every graph.
 * The tiny-checkpoint towers are checked against the JVM model in {@code TornadoVisionTowerTest}.
 */
class VisionTowerGraphTest {

    static final NaiveOps NAIVE = new NaiveOps();
    static final int N = 19, PATCH = 12, W = 16, HEADS = 2, HEAD_DIM = 8, MLP = 24, D = 10, DEPTH = 4;
    static final float EPS = 1e-6f;

    static {
        FallbackProbe.requireDevice(TornadoExecutionPlan.DEFAULT_DEVICE);
    }

    @Test
    void sharedScratchMatchesNaiveOps() {
        VitTower tower = tower();
        try (VisionTowerGraph graph = new VisionTowerGraph(tower, TornadoExecutionPlan.DEFAULT_DEVICE)) {
            // one attention-probability buffer [N·heads·N], allocated on the device by block 0 only
            assertThat(graph.attentionScratch().getSize()).isEqualTo(N * HEADS * N);
            assertThat(graph.scratchDeviceCopies()).isEqualTo(1);
            for (long seed = 1; seed <= 2; seed++) {
                float[] patches = uniform(100 + seed, N * PATCH, -1f, 1f);
                float[] expected = reference(tower, patches);
                float[] actual = graph.forward(patches);
                double scale = Arrays.stream(box(expected)).map(Math::abs).max().orElseThrow();
                // float32 sums of ≤ 24 terms per dot and 4 LayerNorm-renormalised blocks: measured 1.3e-6 and 1.6e-6 relative
                assertThat(maxAbsDiff(actual, expected)).isLessThanOrEqualTo(1e-5 * scale);
            }
        }
    }

    private static double[] box(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** The per-op tower, as {@code SiglipEncoder.forward} runs it. */
    static float[] reference(VitTower t, float[] patches) {
        int n = t.tokens(), w = t.width(), mlp = t.mlp(), d = t.head().cols();
        float[] x = new float[n * w];
        NAIVE.matmul(patches, n, t.patchKernel(), t.patchBias(), 0, x, 0, w);
        NAIVE.add(x, t.positions(), n * w);
        float[] y = new float[n * w], q = new float[n * w], k = new float[n * w], v = new float[n * w];
        float[] a = new float[n * w], h = new float[n * mlp];
        int[] visible = new int[n];
        Arrays.fill(visible, n);
        float qDivisor = (float) Math.sqrt(t.headDim());
        for (VitTower.Block b : t.blocks()) {
            NAIVE.layerNorm(x, n, w, b.ln0Scale(), b.ln0Bias(), t.eps(), y);
            NAIVE.matmul(y, n, b.query(), b.queryBias(), 0, q, 0, w);
            NAIVE.matmul(y, n, b.key(), b.keyBias(), 0, k, 0, w);
            NAIVE.matmul(y, n, b.value(), b.valueBias(), 0, v, 0, w);
            NAIVE.attention(new AttentionShape(t.heads(), t.heads(), t.headDim(), qDivisor), new Rows(q, 0, w), n, new Rows(k, 0, w), new Rows(v, 0, w), visible, new Rows(a, 0, w));
            NAIVE.matmul(a, n, b.out(), b.outBias(), 0, y, 0, w);
            NAIVE.add(x, y, n * w);
            NAIVE.layerNorm(x, n, w, b.ln1Scale(), b.ln1Bias(), t.eps(), y);
            NAIVE.matmul(y, n, b.fc1(), b.fc1Bias(), 0, h, 0, mlp);
            NAIVE.gelu(h, n * mlp);
            NAIVE.matmul(h, n, b.fc2(), b.fc2Bias(), 0, y, 0, w);
            NAIVE.add(x, y, n * w);
        }
        NAIVE.layerNorm(x, n, w, t.normScale(), t.normBias(), t.eps(), y);
        float[] zimg = new float[n * d];
        NAIVE.matmul(y, n, t.head(), t.headBias(), 0, zimg, 0, d);
        return zimg;
    }

    static VitTower tower() {
        List<VitTower.Block> blocks = new ArrayList<>();
        for (int l = 0; l < DEPTH; l++) {
            long s = 1000L * (l + 1);
            WeightType type = l % 2 == 0 ? WeightType.BF16 : WeightType.F32;
            blocks.add(new VitTower.Block(uniform(s, W, 0.5f, 1.5f), uniform(s + 1, W, -0.5f, 0.5f),
                    weight(s + 2, W, W, type), uniform(s + 3, W, -0.5f, 0.5f),
                    weight(s + 4, W, W, type), uniform(s + 5, W, -0.5f, 0.5f),
                    weight(s + 6, W, W, type), uniform(s + 7, W, -0.5f, 0.5f),
                    weight(s + 8, W, W, type), uniform(s + 9, W, -0.5f, 0.5f),
                    uniform(s + 10, W, 0.5f, 1.5f), uniform(s + 11, W, -0.5f, 0.5f),
                    weight(s + 12, W, MLP, type), uniform(s + 13, MLP, -0.5f, 0.5f),
                    weight(s + 14, MLP, W, type), uniform(s + 15, W, -0.5f, 0.5f)));
        }
        return new VitTower(N, PATCH, W, HEADS, HEAD_DIM, MLP, EPS, weight(1, PATCH, W, WeightType.F32),
                uniform(2, W, -0.5f, 0.5f), uniform(3, N * W, -1f, 1f), blocks, uniform(4, W, 0.5f, 1.5f),
                uniform(5, W, -0.5f, 0.5f), weight(6, W, D, WeightType.BF16), uniform(7, D, -0.5f, 0.5f));
    }
}
