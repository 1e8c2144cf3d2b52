package paligemma4j.model;

import java.util.Arrays;
import java.util.List;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.Linear;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Rows;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * Gemma-2B decoder (big_vision {@code ppp/gemma.py}) with the PaliGemma prefix-LM mask: the prefix (image tokens,
 * {@code <bos>}, prompt, {@code "\n"}) attends bidirectionally; every later token attends to the prefix, to earlier
 * tokens and to itself (docs/model.md#gemma-decoder).
 *
 * <p>On a backend that runs whole towers ({@link TowerOps}) a greedy or beam decode can run in the backend's decoder
 * ({@link #tower}), whose KV caches stay on its device; see {@link PaliGemma#prefillFor}.
 */
public final class Gemma {

    /**
     * One decoder layer with its products in the backend's form: the query heads, then the key and value heads, as
     * one group ({@code qkv}), also as its two halves for the prefill's last layer.
     */
    private record Layer(float[] attnNorm, Linear qkv, Linear queries, Linear keysValues, Linear out, float[] ffwNorm,
                         Linear gateUp, Linear down, float[] postAttnNorm, float[] postFfwNorm) {}

    /**
     * The backend's decoder is rebuilt (its graphs recompiled) when a sequence outgrows it: its capacity is rounded
     * up to this many positions so that prompts of similar length share one.
     */
    private static final int TOWER_CAPACITY_STEP = 64;

    private final GemmaConfig c;
    private final DecoderTower w;
    private final Ops ops;
    private final List<Layer> layers;
    private final AttentionShape attention;
    /** √D in the stored embedding's type (docs/model.md#embedding-scale). */
    private final float embedScale;
    /** Non-null when the backend runs the whole decoder. */
    private final TowerOps towers;
    /** The backend's decoder, built on first use; rebuilt when a prefix needs more room or another cache precision. */
    private TowerOps.Decoder tower;
    private KVCache.Precision towerPrecision;
    private int towerBeams;
    private Workspace workspace;

    /**
     * The decoder over {@code w} on {@code ops}; {@code storedEmbedding} is the checkpoint's type of the embedding
     * table (it sets the rounding of √D, whatever storage {@code w} was converted to).
     */
    public Gemma(GemmaConfig config, DecoderTower w, WeightType storedEmbedding, Ops ops) {
        this.c = config;
        this.w = w;
        this.ops = ops;
        this.embedScale = Rounding.toType(c.embedScale(), storedEmbedding);
        this.attention = new AttentionShape(c.heads(), c.kvHeads(), c.headDim(), 1f, w.attnSoftCap());   // q is scaled before
        this.towers = Towers.of(ops, w, "decoder");
        Linear.Use use = Linear.Use.DECODER;
        this.layers = w.blocks().stream().map(b -> {
            Weight[] qkv = new Weight[c.heads() + 2 * c.kvHeads()];
            System.arraycopy(b.query(), 0, qkv, 0, c.heads());
            System.arraycopy(b.key(), 0, qkv, c.heads(), c.kvHeads());
            System.arraycopy(b.value(), 0, qkv, c.heads() + c.kvHeads(), c.kvHeads());
            Linear projections = ops.prepare(use, qkv, null, bytes -> { });
            return new Layer(b.attnNorm(), projections, projections.parts(0, c.heads()),
                    projections.parts(c.heads(), qkv.length), ops.prepare(use, b.out(), null, bytes -> { }), b.ffwNorm(),
                    ops.prepare(use, new Weight[] {b.gate(), b.up()}, null, bytes -> { }),
                    ops.prepare(use, b.down(), null, bytes -> { }), b.postAttnNorm(), b.postFfwNorm());
        }).toList();
    }

    public GemmaConfig config() {
        return c;
    }

    /** Whether the backend runs the whole decoder ({@link TowerOps} taking these weights). */
    boolean hasTower() {
        return towers != null;
    }

    /**
     * The backend's decoder with room for at least {@code capacity} positions for each of {@code beams} hypotheses and
     * a KV cache in {@code precision}, reused across sequences (each prefill starts a new one). Needs {@link #hasTower()}.
     */
    TowerOps.Decoder tower(int capacity, KVCache.Precision precision, int beams) {
        if (tower == null || tower.capacity() < capacity || towerPrecision != precision || towerBeams < beams) {
            closeTower();
            int rounded = (capacity + TOWER_CAPACITY_STEP - 1) / TOWER_CAPACITY_STEP * TOWER_CAPACITY_STEP;
            tower = beams == 1 ? towers.decoder(w, rounded, precision == KVCache.Precision.BF16)
                    : towers.decoder(w, rounded, beams, precision == KVCache.Precision.BF16);
            towerPrecision = precision;
            towerBeams = beams;
        }
        return tower;
    }

    /** Releases the backend's decoder, if one was built. */
    void closeTower() {
        if (tower != null) tower.close();
        tower = null;
    }

    /** A cache for {@code capacity} positions in the given precision. */
    public KVCache newCache(int capacity, KVCache.Precision precision) {
        return new KVCache(c.depth(), capacity, c.kvHeads() * c.headDim(), precision);
    }

    /**
     * Text embeddings {@code E[id] · √D} as big_vision's {@code Embedder.encode} computes them on CPU: √D rounded to
     * the table's type, the product in float32 (docs/model.md#embedding-scale).
     */
    public float[] embed(int[] ids) {
        int d = c.width();
        float[] x = new float[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            checkToken(ids[t]);
            for (int i = 0; i < d; i++) x[t * d + i] = w.embedding().get(ids[t], i) * embedScale;
        }
        return x;
    }

    /** The embedding of one token into {@code out} from {@code offset} (as {@link #embed(int[])}, no allocation). */
    void embed(int token, float[] out, int offset) {
        checkToken(token);
        for (int i = 0; i < c.width(); i++) out[offset + i] = w.embedding().get(token, i) * embedScale;
    }

    private void checkToken(int id) {
        if (id < 0 || id >= c.vocab()) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + c.vocab() + ")");
        }
    }

    /**
     * Runs the prefix {@code x} [T, D] (image tokens then text embeddings) at positions 0…T−1 with full attention
     * inside the prefix, fills cache rows [0, T) and returns the next-token logits at the last prefix position, not
     * final-soft-capped (big_vision's {@code prefill_cache} returns {@code compute_logits}, which skips the cap). With
     * an enabled observer it also reports per-layer outputs, the final norm and the logits of every text position
     * from {@code textStart} on.
     */
    public float[] prefill(float[] x, int rows, int textStart, KVCache cache, StageObserver obs) {
        int d = c.width();
        int[] positions = new int[rows];
        for (int i = 0; i < rows; i++) positions[i] = i;
        int[] visible = new int[rows];
        Arrays.fill(visible, rows);                               // mask_ar = 0 for the whole prefix
        if (!obs.enabled()) {
            // only the last position's logits are wanted: the last layer runs its queries, attention and MLP for
            // that row alone (every row's keys and values still go to the cache), leaving it in row 0
            layers(x, rows, positions, 0, visible, cache, obs, true, false);
            float[] normed = new float[d];
            ops.rmsNorm(x, 0, 1, d, w.finalNorm(), w.eps(), normed, 0);
            return logits(normed, 0, new float[c.vocab()]);
        }
        layers(x, rows, positions, 0, visible, cache, obs, false, false);
        float[] normed = new float[rows * d];
        ops.rmsNorm(x, 0, rows, d, w.finalNorm(), w.eps(), normed, 0);
        obs.stage(Stages.FINAL_NORM, normed, rows, d);
        int textRows = rows - textStart;
        float[] all = new float[textRows * c.vocab()];
        ops.matmulTransposed(normed, textStart * d, d, textRows, w.embedding(), all, 0, c.vocab());
        obs.stage(Stages.PREFIX_LOGITS, all, textRows, c.vocab());
        return logits(normed, rows - 1, new float[c.vocab()]);
    }

    /**
     * One generated token at sequence position {@code position}: appends to the cache, returns next logits (with the
     * final soft-cap, when the decoder has one).
     */
    public float[] decodeStep(int token, int position, KVCache cache) {
        return decodeStep(token, position, cache, new float[c.vocab()]);
    }

    /**
     * As {@link #decodeStep(int, int, KVCache)}, writing the logits into {@code logits} (length ≥ vocab) and
     * returning it. The activations live in a workspace kept between steps, so a Gemma instance must not run two
     * steps at once.
     */
    public float[] decodeStep(int token, int position, KVCache cache, float[] logits) {
        checkToken(token);
        Workspace ws = workspace(1);
        for (int i = 0; i < c.width(); i++) ws.x[i] = w.embedding().get(token, i) * embedScale;
        ws.position[0] = position;
        ws.visible[0] = position + 1;
        layers(ws.x, 1, ws.position, position, ws.visible, cache, StageObserver.NONE, false, true);
        ops.rmsNorm(ws.x, 0, 1, c.width(), w.finalNorm(), w.eps(), ws.normed, 0);
        logits(ws.normed, 0, logits);
        AttentionShape.softCap(logits, 0, c.vocab(), w.finalSoftCap());    // big_vision caps every extend_cache step
        return logits;
    }

    /** logits = final_norm(x)[row] · Eᵀ (tied, unscaled embedding). */
    private float[] logits(float[] normed, int row, float[] out) {
        ops.matmulTransposed(normed, row * c.width(), c.width(), 1, w.embedding(), out, 0, c.vocab());
        return out;
    }

    /**
     * All decoder layers over {@code rows} new tokens {@code x} [rows, D] (updated in place) at {@code positions},
     * written to cache rows from {@code cacheAt}; row r attends to cache rows [0, visible[r]). With
     * {@code lastRowOnly} the last layer computes the keys and values of every row but everything after them for the
     * last row alone, and leaves that row's output in row 0 of x. {@code windowed}: the rows are outside the
     * bidirectional prefix, so the sliding window (when set) applies to them.
     */
    private void layers(float[] x, int rows, int[] positions, int cacheAt, int[] visible, KVCache cache,
                        StageObserver obs, boolean lastRowOnly, boolean windowed) {
        int d = c.width(), hd = c.headDim(), heads = c.heads(), kvHeads = c.kvHeads(), f = c.mlp();
        int qWidth = heads * hd, kvWidth = kvHeads * hd;
        Workspace ws = workspace(rows);
        float[] u = ws.u, q = ws.q, k = ws.k, v = ws.v, gate = ws.gate, up = ws.up;
        for (int l = 0; l < layers.size(); l++) {
            Layer b = layers.get(l);
            boolean lastRow = lastRowOnly && l == layers.size() - 1 && rows > 1;
            // u = pre_attention_norm(x)
            ops.rmsNorm(x, 0, rows, d, b.attnNorm(), w.eps(), u, 0);
            // q_n = u·Wq[n];  k_g, v_g = u·Wk[g], u·Wv[g]   (kvHeads K/V heads, each shared by heads/kvHeads queries)
            if (lastRow) {
                ops.linear(u, rows, b.keysValues(), ws.keyValueOut);
            } else {
                ops.linear(u, rows, b.qkv(), ws.qkvOut);
            }
            // k = RoPE(k); the cache holds k, v (bf16-rounded in bf16 mode); attention reads them back from it
            ops.rope(k, rows, kvWidth, kvHeads, hd, positions, w.ropeBase());
            cache.write(l, cacheAt, k, v, rows);
            if (lastRow) {                                        // from here on the last row alone, as row 0
                int r = rows - 1;
                System.arraycopy(u, r * d, u, 0, d);
                System.arraycopy(x, r * d, x, 0, d);
                positions = new int[] {positions[r]};
                visible = new int[] {visible[r]};
                rows = 1;
                ops.linear(u, 1, b.queries(), Arrays.copyOf(ws.qkvOut, heads));
            }
            // q = RoPE(q)·queryScale   (head_dim^-½, or (width // heads)^-½ for Gemma 2 27B)
            ops.rope(q, rows, qWidth, heads, hd, positions, w.ropeBase());
            ops.scale(q, 0, rows * qWidth, w.queryScale());
            if (windowed && w.sliding(l)) {
                slidingAttention(l, rows, positions, visible, cache, ws);
            } else {
                ops.attention(attention, ws.qRows, rows, Rows.of(cache.keys(l), kvWidth),
                        Rows.of(cache.values(l), kvWidth), visible, ws.oRows);
            }
            // x = x + post_attention_norm(o·Wo)   (Gemma 1: no post norm)
            ops.linear(ws.o, rows, b.out(), ws.yRows);
            addNormed(x, ws.y, b.postAttnNorm(), rows, ws.normed);
            // x = x + (gelu(w·G0) ⊙ (w·G1))·Wd,  w = pre_ffw_norm(x)
            ops.rmsNorm(x, 0, rows, d, b.ffwNorm(), w.eps(), u, 0);
            ops.linear(u, rows, b.gateUp(), ws.gateRows, ws.upRows);
            ops.geluGate(gate, up, rows * f);
            ops.linear(gate, rows, b.down(), ws.yRows);
            addNormed(x, ws.y, b.postFfwNorm(), rows, ws.normed);
            if (obs.enabled()) obs.stage(Stages.llmLayer(l), x, rows, d);
        }
    }

    /** {@code x += y}, or {@code x += rmsNorm(y)·(1 + postNorm)} when Gemma 2's post norm is given. */
    private void addNormed(float[] x, float[] y, float[] postNorm, int rows, float[] tmp) {
        int d = c.width();
        if (postNorm == null) {
            ops.add(x, y, rows * d);
            return;
        }
        ops.rmsNorm(y, 0, rows, d, postNorm, w.eps(), tmp, 0);
        ops.add(x, tmp, rows * d);
    }

    /**
     * Attention of layer {@code l} through transformers' sliding window: the query at position p sees only keys at
     * positions above {@code p − window} (and within {@code visible}). transformers (4.x and 5.x) leaves the
     * bidirectional prefix unwindowed (docs/model.md#gemma-2), so only generated tokens come here. Rows whose window
     * starts at 0 go together; each other row reads the cache from its window's first key on.
     */
    private void slidingAttention(int l, int rows, int[] positions, int[] visible, KVCache cache, Workspace ws) {
        int kvWidth = c.kvHeads() * c.headDim(), qWidth = c.heads() * c.headDim(), window = w.slidingWindow();
        int full = 0;
        while (full < rows && positions[full] - window + 1 <= 0) full++;     // positions increase with the row
        if (full > 0) {
            ops.attention(attention, ws.qRows, full, Rows.of(cache.keys(l), kvWidth), Rows.of(cache.values(l), kvWidth),
                    visible, ws.oRows);
        }
        for (int r = full; r < rows; r++) {
            int start = positions[r] - window + 1;
            ops.attention(attention, new Rows(ws.q, r * qWidth, qWidth), 1, new Rows(cache.keys(l), start * kvWidth, kvWidth),
                    new Rows(cache.values(l), start * kvWidth, kvWidth), new int[] {visible[r] - start},
                    new Rows(ws.o, r * qWidth, qWidth));
        }
    }

    private Workspace workspace(int rows) {
        if (workspace == null || workspace.rows != rows) workspace = new Workspace(c, rows);
        return workspace;
    }

    /** Activation buffers for {@code rows} tokens, kept while the row count stays the same (decode: 1). */
    private static final class Workspace {
        final int rows;
        final float[] x, normed, u, y, q, o, k, v, gate, up;
        final int[] position = new int[1], visible = new int[1];
        /** Where the q/k/v group writes: query head n, then key head g, then value head g; and its key/value half. */
        final Rows[] qkvOut, keyValueOut;
        final Rows qRows, oRows, yRows, gateRows, upRows;

        Workspace(GemmaConfig c, int rows) {
            this.rows = rows;
            int d = c.width(), hd = c.headDim(), qWidth = c.heads() * hd, kvWidth = c.kvHeads() * hd;
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
            qkvOut = new Rows[c.heads() + 2 * c.kvHeads()];
            for (int n = 0; n < c.heads(); n++) qkvOut[n] = new Rows(q, n * hd, qWidth);
            for (int g = 0; g < c.kvHeads(); g++) {
                qkvOut[c.heads() + g] = new Rows(k, g * hd, kvWidth);
                qkvOut[c.heads() + c.kvHeads() + g] = new Rows(v, g * hd, kvWidth);
            }
            keyValueOut = Arrays.copyOfRange(qkvOut, c.heads(), qkvOut.length);
            qRows = Rows.of(q, qWidth);
            oRows = Rows.of(o, qWidth);
            yRows = Rows.of(y, d);
            gateRows = Rows.of(gate, c.mlp());
            upRows = Rows.of(up, c.mlp());
        }
    }
}
