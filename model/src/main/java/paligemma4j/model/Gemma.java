package paligemma4j.model;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * Gemma-2B decoder (big_vision {@code ppp/gemma.py}) with the PaliGemma prefix-LM mask: the
 * prefix (image tokens, {@code <bos>}, prompt, {@code "\n"}) attends bidirectionally; every later
 * token attends to the prefix, to earlier tokens and to itself.
 *
 * <p>On a backend that runs whole towers ({@link TowerOps}) a greedy decode can run in the backend's
 * decoder ({@link #tower}), whose KV cache stays on its device; see {@link PaliGemma#prefillGreedy}.
 */
public final class Gemma {

    private final GemmaWeights w;
    private final Ops ops;
    private final GemmaConfig c;
    /** Non-null when the backend runs the whole decoder. */
    private final TowerOps towers;
    /** The backend's decoder, built on first use; rebuilt when a prefix needs more room or another cache precision. */
    private TowerOps.Decoder tower;
    private KVCache.Precision towerPrecision;

    /**
     * The backend's decoder is rebuilt (its graphs recompiled) when a sequence outgrows it: its capacity is
     * rounded up to this many positions so that prompts of similar length share one.
     */
    private static final int TOWER_CAPACITY_STEP = 64;

    /** Per layer: the query heads, then the key heads, then the value heads (one {@link Ops#matmuls} call). */
    private final List<Weight[]> projections;
    /** Per layer: the MLP's gate and up matrices (one {@link Ops#matmuls} call). */
    private final List<Weight[]> gateUp;

    /**
     * Per layer: {@link #projections} side by side as one Q8_0 weight [D, (heads + 2·kvHeads)·head_dim]
     * ({@link Weight#concatColumns}) when they are Q8_0 with head_dim a multiple of its block; else null.
     * Used for one-token steps (decode): one matrix-vector product over 2560-column rows instead of
     * ten over 256 columns, each output column's sum the same, only the rows stream better. PaliGemma-3B,
     * the 18 layers' products per token, two threads: 27 → 13 ms (per-op timers in the model; harness
     * alternating both: 27–34 → 15.5–16 ms). The prefix (many rows, the GEMM) keeps the separate
     * products: there the side-by-side one was not faster in a harness.
     */
    private final List<Weight> fusedProjections;

    public Gemma(GemmaWeights weights, Ops ops) {
        this(weights, ops, true);
    }

    /** As {@link #Gemma(GemmaWeights, Ops)}; {@code fuseProjections} false keeps the ten separate products (tests). */
    Gemma(GemmaWeights weights, Ops ops, boolean fuseProjections) {
        this.w = weights;
        this.ops = ops;
        this.c = weights.config();
        this.towers = Towers.of(ops, decoderTower(weights).weights(), "decoder");
        this.projections = weights.layers().stream().map(b -> {
            Weight[] all = new Weight[b.query().length + b.key().length + b.value().length];
            System.arraycopy(b.query(), 0, all, 0, b.query().length);
            System.arraycopy(b.key(), 0, all, b.query().length, b.key().length);
            System.arraycopy(b.value(), 0, all, b.query().length + b.key().length, b.value().length);
            return all;
        }).toList();
        this.gateUp = weights.layers().stream().map(b -> new Weight[] {b.gate(), b.up()}).toList();
        boolean fusable = fuseProjections && c.headDim() % Q8.BLOCK == 0 && projections.stream()
                .allMatch(p -> Arrays.stream(p).allMatch(x -> x.type() == WeightType.Q8_0));
        this.fusedProjections = projections.stream()
                .map(p -> fusable ? Weight.concatColumns(p, Arena.ofAuto()) : null).toList();
    }

    /** The decoder as a {@link TowerOps} backend takes it (no copies: the same weights and vectors). */
    static DecoderTower decoderTower(GemmaWeights w) {
        GemmaConfig c = w.config();
        List<DecoderTower.Block> blocks = w.layers().stream().map(b -> new DecoderTower.Block(b.attnNorm(), b.query(),
                b.key(), b.value(), b.out(), b.ffwNorm(), b.gate(), b.up(), b.down())).toList();
        return new DecoderTower(c.width(), c.heads(), c.kvHeads(), c.headDim(), c.mlp(), GemmaConfig.RMS_NORM_EPS,
                GemmaConfig.ROPE_BASE, c.queryScale(), blocks, w.finalNorm(), w.embedding());
    }

    /** Whether the query, key and value heads run as one product ({@link #fusedProjections}). */
    boolean fusesProjections() {
        return fusedProjections.get(0) != null;
    }

    /** Whether the backend runs the whole decoder ({@link TowerOps} taking these weights). */
    boolean hasTower() {
        return towers != null;
    }

    /**
     * The backend's decoder with room for at least {@code capacity} positions and a KV cache in
     * {@code precision}, reused across sequences (each prefill starts a new one). Needs {@link #hasTower()}.
     */
    TowerOps.Decoder tower(int capacity, KVCache.Precision precision) {
        if (tower == null || tower.capacity() < capacity || towerPrecision != precision) {
            closeTower();
            int rounded = (capacity + TOWER_CAPACITY_STEP - 1) / TOWER_CAPACITY_STEP * TOWER_CAPACITY_STEP;
            tower = towers.decoder(decoderTower(w), rounded, precision == KVCache.Precision.BF16);
            towerPrecision = precision;
        }
        return tower;
    }

    /** Releases the backend's decoder, if one was built. */
    void closeTower() {
        if (tower != null) tower.close();
        tower = null;
    }

    public GemmaConfig config() {
        return c;
    }

    /** A cache for {@code capacity} positions in the given precision. */
    public KVCache newCache(int capacity, KVCache.Precision precision) {
        return new KVCache(c.depth(), capacity, c.kvHeads() * c.headDim(), precision);
    }

    /**
     * Text embeddings {@code E[id] · √D} as big_vision's {@code Embedder.encode} computes them:
     * {@code jnp.sqrt(D).astype(table dtype)} rounds the constant to the table's dtype (45.25 for bf16 at
     * D = 2048), and the product is float32: on CPU, XLA keeps the excess precision of the bf16 multiply
     * (its convert pair is simplified away), which the big_vision dumps of scripts/parity confirm
     * bit for bit. (Spec §9.9 expects a bf16-rounded product; that holds where bf16 is native, e.g. TPU.)
     */
    public float[] embed(int[] ids) {
        int d = c.width();
        float scale = Rounding.toDtype(c.embedScale(), w.embeddingDtype());
        float[] x = new float[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= c.vocab()) {
                throw new IllegalArgumentException("token id " + ids[t] + " outside the vocabulary [0, " + c.vocab() + ")");
            }
            for (int i = 0; i < d; i++) {
                x[t * d + i] = w.embedding().get(ids[t], i) * scale;
            }
        }
        return x;
    }

    /**
     * Runs the prefix {@code x} [T, D] (image tokens then text embeddings) at positions 0…T−1 with full
     * attention inside the prefix, fills cache rows [0, T) and returns the next-token logits at the last
     * prefix position. With an enabled observer it also reports per-layer outputs, the final norm and
     * the logits of every text position from {@code textStart} on.
     */
    public float[] prefill(float[] x, int rows, int textStart, KVCache cache, StageObserver obs) {
        int[] positions = new int[rows];
        for (int i = 0; i < rows; i++) positions[i] = i;
        int[] visible = new int[rows];
        Arrays.fill(visible, rows);                               // mask_ar = 0 for the whole prefix
        if (!obs.enabled()) {
            // only the last position's logits are wanted: the last layer runs its queries, attention and
            // MLP for that row alone (every row's keys and values still go to the cache), leaving it in row 0
            layers(x, rows, positions, 0, visible, cache, obs, true);
            float[] normed = new float[c.width()];
            ops.rmsNorm(x, 0, 1, c.width(), w.finalNorm(), GemmaConfig.RMS_NORM_EPS, normed, 0);
            return logits(normed, 0);
        }
        layers(x, rows, positions, 0, visible, cache, obs, false);
        float[] normed = new float[rows * c.width()];
        ops.rmsNorm(x, 0, rows, c.width(), w.finalNorm(), GemmaConfig.RMS_NORM_EPS, normed, 0);
        obs.stage(Stages.FINAL_NORM, normed, rows, c.width());
        int textRows = rows - textStart;
        float[] all = new float[textRows * c.vocab()];
        ops.matmulTransposed(normed, textStart * c.width(), c.width(), textRows, w.embedding(), all, 0, c.vocab());
        obs.stage(Stages.PREFIX_LOGITS, all, textRows, c.vocab());
        return logits(normed, rows - 1);
    }

    /** One generated token at sequence position {@code position}: appends to the cache, returns next logits. */
    public float[] decodeStep(int token, int position, KVCache cache) {
        return decodeStep(token, position, cache, new float[c.vocab()]);
    }

    /**
     * As {@link #decodeStep(int, int, KVCache)}, writing the logits into {@code logits} (length ≥ vocab)
     * and returning it. Allocates nothing: the activations live in a workspace kept between steps, so a
     * Gemma instance must not run two steps at once.
     */
    public float[] decodeStep(int token, int position, KVCache cache, float[] logits) {
        Workspace ws = workspace(1);
        if (token < 0 || token >= c.vocab()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + c.vocab() + ")");
        }
        float scale = Rounding.toDtype(c.embedScale(), w.embeddingDtype());
        for (int i = 0; i < c.width(); i++) ws.x[i] = w.embedding().get(token, i) * scale;
        ws.position[0] = position;
        ws.visible[0] = position + 1;
        layers(ws.x, 1, ws.position, position, ws.visible, cache, StageObserver.NONE, false);
        ops.rmsNorm(ws.x, 0, 1, c.width(), w.finalNorm(), GemmaConfig.RMS_NORM_EPS, ws.normed, 0);
        ops.matmulTransposed(ws.normed, 0, c.width(), 1, w.embedding(), logits, 0, c.vocab());
        return logits;
    }

    /** logits = final_norm(x)[row] · Eᵀ (tied, unscaled embedding). */
    private float[] logits(float[] normed, int row) {
        float[] out = new float[c.vocab()];
        ops.matmulTransposed(normed, row * c.width(), c.width(), 1, w.embedding(), out, 0, c.vocab());
        return out;
    }

    /** Activation buffers for {@code rows} tokens, kept while the row count stays the same (decode: 1). */
    private static final class Workspace {
        final int rows;
        final float[] x, normed, u, y, q, o, k, v, gate, up;
        /** [q | k | v] of one token from {@link Gemma#fusedProjections}; allocated on first use. */
        float[] qkv;
        final int[] position = new int[1], visible = new int[1];
        /** Where {@link Gemma#projections} write: head n of q, then head g of k, then of v. */
        final float[][] projectionOut, gateUpOut;
        final int[] projectionOff, projectionStride, gateUpOff = new int[2], gateUpStride;

        Workspace(GemmaConfig c, int rows) {
            this.rows = rows;
            int d = c.width(), qWidth = c.heads() * c.headDim(), kvWidth = c.kvHeads() * c.headDim();
            x = new float[rows * d];
            normed = new float[rows * d];
            u = new float[rows * d];
            y = new float[rows * d];
            q = new float[rows * qWidth];
            o = new float[rows * qWidth];
            k = new float[rows * kvWidth];
            v = new float[rows * kvWidth];
            gate = new float[rows * c.mlp()];
            up = new float[rows * c.mlp()];
            gateUpOut = new float[][] {gate, up};
            gateUpStride = new int[] {c.mlp(), c.mlp()};
            int n = c.heads() + 2 * c.kvHeads();
            projectionOut = new float[n][];
            projectionOff = new int[n];
            projectionStride = new int[n];
            for (int i = 0; i < n; i++) {
                boolean query = i < c.heads(), key = !query && i < c.heads() + c.kvHeads();
                int head = query ? i : key ? i - c.heads() : i - c.heads() - c.kvHeads();
                projectionOut[i] = query ? q : key ? k : v;
                projectionOff[i] = head * c.headDim();
                projectionStride[i] = query ? qWidth : kvWidth;
            }
        }
    }

    private Workspace workspace;

    private Workspace workspace(int rows) {
        if (workspace == null || workspace.rows != rows) workspace = new Workspace(c, rows);
        return workspace;
    }

    /**
     * All decoder layers over {@code rows} new tokens {@code x} [rows, D] (updated in place) at
     * {@code positions}, written to cache rows from {@code cacheAt}; row r attends to cache rows
     * [0, visible[r]). With {@code lastRowOnly} the last layer computes the keys and values of every row
     * but everything after them for the last row alone, and leaves that row's output in row 0 of x.
     */
    private void layers(float[] x, int rows, int[] positions, int cacheAt, int[] visible, KVCache cache,
                        StageObserver obs, boolean lastRowOnly) {
        int d = c.width(), hd = c.headDim(), heads = c.heads(), kvHeads = c.kvHeads(), f = c.mlp();
        int qWidth = heads * hd, kvWidth = kvHeads * hd;
        Workspace ws = workspace(rows);
        float[] u = ws.u, y = ws.y, q = ws.q, o = ws.o, k = ws.k, v = ws.v, gate = ws.gate, up = ws.up;
        for (int l = 0; l < c.depth(); l++) {
            GemmaWeights.Layer b = w.layers().get(l);
            // u = pre_attention_norm(x)
            ops.rmsNorm(x, 0, rows, d, b.attnNorm(), GemmaConfig.RMS_NORM_EPS, u, 0);
            boolean lastRow = lastRowOnly && l == c.depth() - 1 && rows > 1;
            // q_n = u·Wq[n];  k, v = u·Wkv[0], u·Wkv[1]   (multi-query: kvHeads K/V heads shared)
            Weight[] p = projections.get(l);
            Weight fused = fusedProjections.get(l);
            if (fused != null && rows == 1) {                     // one token: [q | k | v] from one product
                if (ws.qkv == null) ws.qkv = new float[fused.cols()];
                ops.matmul(u, 1, fused, null, 0, ws.qkv, 0, fused.cols());
                System.arraycopy(ws.qkv, 0, q, 0, qWidth);
                System.arraycopy(ws.qkv, qWidth, k, 0, kvWidth);
                System.arraycopy(ws.qkv, qWidth + kvWidth, v, 0, kvWidth);
            } else if (!lastRow) {
                ops.matmuls(u, rows, p, null, ws.projectionOut, ws.projectionOff, ws.projectionStride);
            } else {
                ops.matmuls(u, rows, Arrays.copyOfRange(p, heads, p.length), null,
                        Arrays.copyOfRange(ws.projectionOut, heads, p.length),
                        Arrays.copyOfRange(ws.projectionOff, heads, p.length),
                        Arrays.copyOfRange(ws.projectionStride, heads, p.length));
            }
            // k = RoPE(k); the cache holds k, v (bf16-rounded in bf16 mode); attention reads them back from it
            ops.rope(k, rows, kvWidth, kvHeads, hd, positions, GemmaConfig.ROPE_BASE);
            cache.write(l, cacheAt, k, v, rows);
            if (lastRow) {                                        // from here on the last row alone, as row 0
                int r = rows - 1;
                System.arraycopy(u, r * d, u, 0, d);
                System.arraycopy(x, r * d, x, 0, d);
                positions = new int[] {positions[r]};
                visible = new int[] {visible[r]};
                rows = 1;
                ops.matmuls(u, 1, Arrays.copyOf(p, heads), null, Arrays.copyOf(ws.projectionOut, heads),
                        Arrays.copyOf(ws.projectionOff, heads), Arrays.copyOf(ws.projectionStride, heads));
            }
            // q = RoPE(q)·head_dim^-0.5
            ops.rope(q, rows, qWidth, heads, hd, positions, GemmaConfig.ROPE_BASE);
            ops.scale(q, 0, rows * qWidth, c.queryScale());
            ops.attention(q, qWidth, rows, heads, hd, 1f, cache.keys(l), cache.values(l), kvWidth, kvHeads,
                    visible, o, qWidth);
            // x = x + o·Wo
            ops.matmul(o, rows, b.out(), null, 0, y, 0, d);
            ops.add(x, y, rows * d);
            // x = x + (gelu(w·G0) ⊙ (w·G1))·Wd,  w = pre_ffw_norm(x)
            ops.rmsNorm(x, 0, rows, d, b.ffwNorm(), GemmaConfig.RMS_NORM_EPS, u, 0);
            ops.matmuls(u, rows, gateUp.get(l), null, ws.gateUpOut, ws.gateUpOff, ws.gateUpStride);   // gate, up = w·G0, w·G1
            ops.geluGate(gate, up, rows * f);
            ops.matmul(gate, rows, b.down(), null, 0, y, 0, d);
            ops.add(x, y, rows * d);
            if (obs.enabled()) obs.stage(Stages.llmLayer(l), x, rows, d);
        }
    }
}
