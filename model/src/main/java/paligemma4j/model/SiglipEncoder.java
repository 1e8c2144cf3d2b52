package paligemma4j.model;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import paligemma4j.checkpoint.paligemma.SiglipConfig;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;

/**
 * SigLIP So400m/14 without pooling, followed by the linear projector (big_vision {@code vit.py}
 * with {@code pool_type='none'}, then {@code img/head}): pixels → image tokens.
 *
 * <p>On a backend that runs whole towers ({@link TowerOps}) the encoder runs as one call with the
 * activations kept on its device, unless a stage observer is attached (the observed stages are
 * computed per op, as on every other backend).
 */
public final class SiglipEncoder {

    private final SiglipWeights w;
    private final Ops ops;
    /** Non-null when the backend runs the whole tower. */
    private final TowerOps towers;
    /** The backend's tower, built on first use. */
    private TowerOps.Vision tower;
    /**
     * Per layer, the products run op by op: q/k/v (one {@link Ops#matmuls} call), out, MLP in and out; made
     * on a background thread when they are column blocks ({@link #SiglipEncoder(SiglipWeights, Ops, Consumer)}).
     */
    private final List<CompletableFuture<LayerProducts>> products;

    /**
     * Columns per block of the matrices the op-by-op route keeps as column blocks ({@link BlockedProducts}):
     * the JVM GEMM's narrowest task width, so every task reads one contiguous block.
     */
    static final int COLUMN_BLOCK = 128;

    private record LayerProducts(BlockedProducts queryKeyValue, BlockedProducts out, BlockedProducts fc1,
                                 BlockedProducts fc2) {}

    public SiglipEncoder(SiglipWeights weights, Ops ops) {
        this(weights, ops, part -> { });
    }

    /**
     * As {@link #SiglipEncoder(SiglipWeights, Ops)}; on the op-by-op route the layers' matrices are copied as
     * column blocks and their original bytes handed to {@code release} (the checkpoint's {@code release}: the
     * copies take the mapped pages' place in memory). The copies are made layer by layer on a daemon thread
     * started here, so loading does not wait for them (~0.9 s for So400m); a forward pass waits for each
     * layer's blocks before using them (only the first pass can catch up with the copying).
     */
    public SiglipEncoder(SiglipWeights weights, Ops ops, Consumer<MemorySegment> release) {
        this.ops = ops;
        this.towers = Towers.of(ops, vitTower(weights).weights(), "vision tower");
        List<SiglipWeights.Layer> layers = weights.layers();
        if (towers != null) {
            this.products = layers.stream().map(b -> CompletableFuture.completedFuture(products(b, false, release))).toList();
            this.w = weights;
            return;
        }
        this.products = layers.stream().map(b -> new CompletableFuture<LayerProducts>()).toList();
        Thread.ofPlatform().daemon().name("paligemma4j-siglip-column-blocks").start(() -> {
            for (int l = 0; l < layers.size(); l++) {
                try {
                    products.get(l).complete(products(layers.get(l), true, release));
                } catch (Throwable e) {
                    products.get(l).completeExceptionally(e);
                }
            }
        });
        this.w = withoutLayerMatrices(weights);   // a converted copy is freed once its blocks exist
    }

    /** Layer l's products, once its column blocks exist. */
    private LayerProducts layerProducts(int l) {
        try {
            return products.get(l).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("vision layer " + l + ": copying its weights as column blocks failed: "
                    + e.getCause(), e.getCause());
        }
    }

    /** {@code w} without the layers' matrices (the column blocks replace them; vectors stay). */
    private static SiglipWeights withoutLayerMatrices(SiglipWeights w) {
        List<SiglipWeights.Layer> layers = w.layers().stream().map(b -> new SiglipWeights.Layer(b.ln0Scale(),
                b.ln0Bias(), null, b.queryBias(), null, b.keyBias(), null, b.valueBias(), null, b.outBias(),
                b.ln1Scale(), b.ln1Bias(), null, b.fc1Bias(), null, b.fc2Bias())).toList();
        return new SiglipWeights(w.config(), w.patchKernel(), w.patchBias(), w.positions(), layers,
                w.encoderNormScale(), w.encoderNormBias(), w.head(), w.headBias());
    }

    private static LayerProducts products(SiglipWeights.Layer b, boolean blocks, Consumer<MemorySegment> release) {
        Weight[] qkv = {b.query(), b.key(), b.value()};
        float[][] qkvBias = {b.queryBias(), b.keyBias(), b.valueBias()};
        return new LayerProducts(product(qkv, qkvBias, blocks, release),
                product(new Weight[] {b.out()}, new float[][] {b.outBias()}, blocks, release),
                product(new Weight[] {b.fc1()}, new float[][] {b.fc1Bias()}, blocks, release),
                product(new Weight[] {b.fc2()}, new float[][] {b.fc2Bias()}, blocks, release));
    }

    private static BlockedProducts product(Weight[] ws, float[][] biases, boolean blocks, Consumer<MemorySegment> release) {
        return BlockedProducts.columnBlocks(ws, biases, blocks ? COLUMN_BLOCK : Integer.MAX_VALUE, release);
    }

    /** The encoder as a {@link TowerOps} backend takes it (no copies: the same weights and vectors). */
    static VitTower vitTower(SiglipWeights w) {
        SiglipConfig c = w.config();
        List<VitTower.Block> blocks = w.layers().stream().map(b -> new VitTower.Block(b.ln0Scale(), b.ln0Bias(),
                b.query(), b.queryBias(), b.key(), b.keyBias(), b.value(), b.valueBias(), b.out(), b.outBias(),
                b.ln1Scale(), b.ln1Bias(), b.fc1(), b.fc1Bias(), b.fc2(), b.fc2Bias())).toList();
        return new VitTower(c.numTokens(), c.patch() * c.patch() * 3, c.width(), c.heads(), c.headDim(), c.mlp(),
                SiglipConfig.LAYER_NORM_EPS, w.patchKernel(), w.patchBias(), w.positions(), blocks,
                w.encoderNormScale(), w.encoderNormBias(), w.head(), w.headBias());
    }

    /** Releases the backend's tower, if one was built. */
    void closeTower() {
        if (tower != null) tower.close();
        tower = null;
    }

    /**
     * @param pixels [R, R, 3] NHWC in [−1, 1]
     * @return image tokens {@code zimg} [N_img, D], not scaled (spec §2.2)
     */
    public float[] forward(float[] pixels, StageObserver obs) {
        SiglipConfig c = w.config();
        int n = c.numTokens(), width = c.width(), mlp = c.mlp(), d = w.head().cols();
        if (pixels.length != c.resolution() * c.resolution() * 3) {
            throw new IllegalArgumentException("pixels: expected " + c.resolution() + "×" + c.resolution()
                    + "×3 = " + c.resolution() * c.resolution() * 3 + " values, got " + pixels.length);
        }
        if (obs.enabled()) obs.stage(Stages.PIXELS, pixels, c.resolution() * c.resolution(), 3);

        // p = conv14x14_s14(image) + b: patchify, then one matmul with the HWIO kernel
        float[] patches = patchify(pixels, c.resolution(), c.patch());
        if (towers != null && !obs.enabled()) {            // the whole tower on the backend, activations stay there
            if (tower == null) tower = towers.vision(vitTower(w));
            return tower.forward(patches);
        }
        float[] x = new float[n * width];
        ops.matmul(patches, n, w.patchKernel(), w.patchBias(), 0, x, 0, width);
        // x = x + pos_embedding
        ops.add(x, w.positions(), n * width);
        if (obs.enabled()) obs.stage(Stages.PATCH_EMBED, x, n, width);

        float[] y = new float[n * width];
        float[] q = new float[n * width], k = new float[n * width], v = new float[n * width];
        float[] a = new float[n * width];
        float[] h = new float[n * mlp];
        int[] visible = new int[n];
        java.util.Arrays.fill(visible, n);                       // no mask: every token sees every token
        float qDivisor = (float) Math.sqrt(c.headDim());          // Flax: query / sqrt(depth), before q·k
        for (int l = 0; l < c.depth(); l++) {
            SiglipWeights.Layer b = w.layers().get(l);
            LayerProducts p = layerProducts(l);
            // y = LayerNorm_0(x)
            ops.layerNorm(x, n, width, b.ln0Scale(), b.ln0Bias(), SiglipConfig.LAYER_NORM_EPS, y);
            // q, k, v = y·Wq + bq, y·Wk + bk, y·Wv + bv       [N, heads·head_dim]
            p.queryKeyValue().apply(ops, y, n, q, k, v);
            // a_h = softmax((q_h / √head_dim) · k_hᵀ) · v_h
            ops.attention(q, width, n, c.heads(), c.headDim(), qDivisor, k, v, width, c.heads(), visible, a, width);
            // x = x + a·Wo + bo
            p.out().apply(ops, a, n, y);
            ops.add(x, y, n * width);
            // y = LayerNorm_1(x); x = x + gelu(y·W1 + b1)·W2 + b2
            ops.layerNorm(x, n, width, b.ln1Scale(), b.ln1Bias(), SiglipConfig.LAYER_NORM_EPS, y);
            p.fc1().apply(ops, y, n, h);
            ops.gelu(h, n * mlp);
            p.fc2().apply(ops, h, n, y);
            ops.add(x, y, n * width);
            if (obs.enabled()) obs.stage(Stages.vitBlock(l), x, n, width);
        }
        // x = encoder_norm(x)
        ops.layerNorm(x, n, width, w.encoderNormScale(), w.encoderNormBias(), SiglipConfig.LAYER_NORM_EPS, y);
        if (obs.enabled()) obs.stage(Stages.ENCODER_NORM, y, n, width);
        // zimg = x·W_head + b_head (the projector)
        float[] zimg = new float[n * d];
        ops.matmul(y, n, w.head(), w.headBias(), 0, zimg, 0, d);
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
