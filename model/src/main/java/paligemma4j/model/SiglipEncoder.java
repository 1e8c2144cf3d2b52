package paligemma4j.model;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import paligemma4j.checkpoint.paligemma.SiglipConfig;
import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Linear;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Rows;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;

/**
 * SigLIP So400m/14 without pooling, followed by the linear projector (big_vision {@code vit.py} with
 * {@code pool_type='none'}, then {@code img/head}): pixels → image tokens (docs/model.md#vision-encoder).
 *
 * <p>On a backend that runs whole towers ({@link TowerOps}) the encoder runs as one call with the activations kept
 * on its device, unless a stage observer is attached (the observed stages are computed per op, as on every other
 * backend).
 */
public final class SiglipEncoder {

    /** One encoder block with its products in the backend's form; biases live in the {@link Linear}s. */
    private record Layer(float[] ln0Scale, float[] ln0Bias, Linear qkv, Linear out, float[] ln1Scale, float[] ln1Bias,
                         Linear fc1, Linear fc2) {}

    private final SiglipConfig c;
    private final Ops ops;
    private final float eps;
    private final Linear patchEmbedding, head;
    private final float[] positions, normScale, normBias;
    private final List<Layer> layers;
    /** The backend's whole-tower route, or null; {@link #weights} is kept only for it. */
    private final TowerOps towers;
    private final VitTower weights;
    private TowerOps.Vision tower;

    /**
     * The encoder over {@code w} on {@code ops}; {@code release} is told which stored bytes the backend's own copies
     * replace (a mapped checkpoint then drops those pages).
     */
    public SiglipEncoder(SiglipConfig config, VitTower w, Ops ops, Consumer<MemorySegment> release) {
        this.c = config;
        this.ops = ops;
        this.eps = w.eps();
        this.towers = Towers.of(ops, w.weights(), "vision tower");
        this.weights = towers == null ? null : w;
        Linear.Use use = Linear.Use.ENCODER;
        this.patchEmbedding = ops.prepare(use, w.patchKernel(), w.patchBias(), release);
        this.layers = w.blocks().stream().map(b -> new Layer(b.ln0Scale(), b.ln0Bias(),
                ops.prepare(use, new Weight[] {b.query(), b.key(), b.value()},
                        new float[][] {b.queryBias(), b.keyBias(), b.valueBias()}, release),
                ops.prepare(use, b.out(), b.outBias(), release), b.ln1Scale(), b.ln1Bias(),
                ops.prepare(use, b.fc1(), b.fc1Bias(), release), ops.prepare(use, b.fc2(), b.fc2Bias(), release))).toList();
        this.head = ops.prepare(use, w.head(), w.headBias(), release);
        this.positions = w.positions();
        this.normScale = w.normScale();
        this.normBias = w.normBias();
    }

    /** Releases the backend's tower, if one was built. */
    void closeTower() {
        if (tower != null) tower.close();
        tower = null;
    }

    /**
     * @param pixels [R, R, 3] NHWC in [−1, 1]
     * @return image tokens {@code zimg} [N_img, D], not scaled (docs/model.md#embedding-scale)
     */
    public float[] forward(float[] pixels, StageObserver obs) {
        int n = c.numTokens(), width = c.width(), mlp = c.mlp(), d = head.out(0);
        if (pixels.length != c.resolution() * c.resolution() * 3) {
            throw new IllegalArgumentException("pixels: expected " + c.resolution() + "×" + c.resolution()
                    + "×3 = " + c.resolution() * c.resolution() * 3 + " values, got " + pixels.length);
        }
        if (obs.enabled()) obs.stage(Stages.PIXELS, pixels, c.resolution() * c.resolution(), 3);

        // p = conv14x14_s14(image) + b: patchify, then one matmul with the HWIO kernel
        float[] patches = patchify(pixels, c.resolution(), c.patch());
        if (towers != null && !obs.enabled()) {            // the whole tower on the backend, activations stay there
            if (tower == null) tower = towers.vision(weights);
            return tower.forward(patches);
        }
        float[] x = new float[n * width];
        ops.linear(patches, n, patchEmbedding, Rows.of(x, width));
        // x = x + pos_embedding
        ops.add(x, positions, n * width);
        if (obs.enabled()) obs.stage(Stages.PATCH_EMBED, x, n, width);

        float[] y = new float[n * width], a = new float[n * width], h = new float[n * mlp];
        Rows q = Rows.of(new float[n * width], width), k = Rows.of(new float[n * width], width);
        Rows v = Rows.of(new float[n * width], width);
        int[] visible = new int[n];
        Arrays.fill(visible, n);                                 // no mask: every token sees every token
        // Flax divides the query by √head_dim before q·k
        AttentionShape heads = new AttentionShape(c.heads(), c.heads(), c.headDim(), (float) Math.sqrt(c.headDim()));
        for (int l = 0; l < layers.size(); l++) {
            Layer b = layers.get(l);
            // y = LayerNorm_0(x)
            ops.layerNorm(x, n, width, b.ln0Scale(), b.ln0Bias(), eps, y);
            // q, k, v = y·Wq + bq, y·Wk + bk, y·Wv + bv       [N, heads·head_dim]
            ops.linear(y, n, b.qkv(), q, k, v);
            // a_h = softmax((q_h / √head_dim) · k_hᵀ) · v_h
            ops.attention(heads, q, n, k, v, visible, Rows.of(a, width));
            // x = x + a·Wo + bo
            ops.linear(a, n, b.out(), Rows.of(y, width));
            ops.add(x, y, n * width);
            // y = LayerNorm_1(x); x = x + gelu(y·W1 + b1)·W2 + b2
            ops.layerNorm(x, n, width, b.ln1Scale(), b.ln1Bias(), eps, y);
            ops.linear(y, n, b.fc1(), Rows.of(h, mlp));
            ops.gelu(h, n * mlp);
            ops.linear(h, n, b.fc2(), Rows.of(y, width));
            ops.add(x, y, n * width);
            if (obs.enabled()) obs.stage(Stages.vitBlock(l), x, n, width);
        }
        // x = encoder_norm(x)
        ops.layerNorm(x, n, width, normScale, normBias, eps, y);
        if (obs.enabled()) obs.stage(Stages.ENCODER_NORM, y, n, width);
        // zimg = x·W_head + b_head (the projector)
        float[] zimg = new float[n * d];
        ops.linear(y, n, head, Rows.of(zimg, d));
        if (obs.enabled()) obs.stage(Stages.ZIMG, zimg, n, d);
        return zimg;
    }

    /**
     * Rearranges NHWC pixels into one row per patch, row-major over the patch grid (token = gy·G + gx),
     * each row ordered (dy, dx, c) to match the HWIO conv kernel flattened to [P·P·3, W].
     */
    static float[] patchify(float[] pixels, int resolution, int patch) {
        int g = resolution / patch, rowLen = patch * patch * 3;
        float[] out = new float[g * g * rowLen];
        for (int gy = 0; gy < g; gy++) {
            for (int gx = 0; gx < g; gx++) {
                int dst = (gy * g + gx) * rowLen;
                for (int dy = 0; dy < patch; dy++) {
                    int src = ((gy * patch + dy) * resolution + gx * patch) * 3;
                    System.arraycopy(pixels, src, out, dst + dy * patch * 3, patch * 3);
                }
            }
        }
        return out;
    }
}
