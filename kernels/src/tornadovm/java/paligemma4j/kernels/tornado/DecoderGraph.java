package paligemma4j.kernels.tornado;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.Weight;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The Gemma decoder as TornadoVM task graphs, one per layer plus the logits, serving the prefill (T rows),
 * the greedy decode step (1 row) and the beam-search step (one row per hypothesis, B ≤ beams): the residual
 * stream and the float32 KV cache (one region of capacity rows per hypothesis) stay on the device;
 * per call only the new rows' embeddings, their positions and visible counts go in, and only the last
 * row's logits come out. Each layer's K/V cache is owned by that layer's graph (transferred once,
 * never read back), so no cache crosses a graph boundary. Everything else has one device copy for the
 * whole decoder: llm_layer_0 allocates the scratch and constants, every later graph takes TornadoVM's
 * device buffer over from the graph before it ({@code consumeFromDevice} / {@code persistOnDevice}),
 * so activation memory (u, qkv, o, g and the attention probabilities p: capacity²·heads floats) does
 * not grow with depth; only weights and K/V caches do.
 *
 * <pre>
 * graph llm_layer_l  (l = 0 … depth−1)                     buffers
 *   in   EVERY_EXECUTION  x [rows, D] (layer 0 only: new rows' embeddings), step dims, positions, visible,
 *                         first visible key (sliding window), cache row and cache region of each row,
 *                         beams: parents, reorder dims
 *   in   FIRST_EXECUTION  shared: scratch u, qkv, o, g, p, beams: the reorder scratch; constants gelu, eps,
 *                         RoPE timescales, query scale, 1, powers of two  (layer 0 only: the one device copy)
 *   in   consume          x, shared  (layers ≥ 1: from llm_layer_{l−1})
 *   in   FIRST_EXECUTION  norms, Wqkv = [Wq_0…Wq_{H−1} | Wk | Wv], Wo, Wgate, Wup, Wdown (f32, bf16, f16 or Q8_0),
 *                         K_l, V_l [beams · capacity, KVH·hd]
 *   task norm0   u    = RMSNorm_attn(x)                       one work-item per row
 *   task qkv     qkv  = u·Wqkv     [rows, (H + 2·KVH)·hd]       tiled matmul (q, k, v: 2+H → 1)
 *   task gatherK…scatterV  (beams > 1) region b of K_l, V_l ← region parents[b], rows [0, length): the beams' reorder
 *   task rope    q    = RoPE(q)·queryScale; K_l, V_l[cacheRow[r]] = [bf16](RoPE(k)), [bf16](v)  (RoPE q, scale, RoPE k, cache write: 4→1)
 *   task attn    o    = softmax(q·K_lᵀ over keys [first[r], visible[r]) of region base[r]) · V_l
 *                                                           MQA/GQA head map, prefix-LM via visible[r], sliding
 *                                                           window (even layers, generated rows only) via first[r]
 *   task proj    x   += o·Wo                                tiled matmul, RESIDUAL epilogue (2→1)
 *                (Gemma 2: u = o·Wo, STORE; task postnorm0  x += RMSNorm_post_attn(u))
 *   task norm1   u    = RMSNorm_ffw(x)
 *   task gate    g    = gelu_tanh(u·Wgate)     [rows, F]     tiled matmul, GELU epilogue (2→1)
 *   task up      g   *= u·Wup                               tiled matmul, MULTIPLY epilogue (GeGLU: 2→1)
 *   task down    x   += g·Wdown                             tiled matmul, RESIDUAL epilogue (2→1)
 *                (Gemma 2: u = g·Wdown, STORE; task postnorm1  x += RMSNorm_post_ffw(u))
 *   out  persist          x, shared
 *
 * graph llm_logits
 *   in   consume          x, scratch u, eps  (from llm_layer_{depth−1})
 *   task norm    u      = RMSNorm_final(x)
 *   task unembed logits = u[rows−1]·Eᵀ   [V]                a work-group per vocabulary entry, local tree
 *                (a beam step: logits[j] = u[j]·Eᵀ for each of its n rows)
 *   task softcap logits = c·tanh(logits/c)                  Gemma 2, decode steps only (not the prefill, as big_vision)
 *   out  EVERY_EXECUTION  logits
 * </pre>
 *
 * The row count changes per call: the step's sizes travel in small EVERY_EXECUTION int buffers and
 * the launch grids are resized before each run, so one compiled plan serves prefill and decode.
 * For the 1-row decode step the tiled matmuls switch to their split-k path (see {@link TiledMatmulKernels}).
 * Per step nothing is allocated on the host: {@link #step} writes into the caller's logits rows.
 * The cache is float32 storage; with {@code bf16Cache} every cached value is rounded to bfloat16 first,
 * as the model's {@code KVCache} does. The chain relies on the graphs running in order, as
 * {@code run} does: TornadoVM hands a consumed buffer over from the graph that ran last.
 */
public final class DecoderGraph implements TowerOps.Decoder {

    private static final String LOGITS = "llm_logits";

    private final DecoderTower t;
    private final int capacity;
    private final int beams;
    /** Per row: cache row written, cache region read (its first key row), first key seen by a sliding-window layer. */
    private final IntArray cacheRows, regionBase, windowFirst;
    /** Beams only (else null): the parent of each hypothesis and the reorder's sizes. */
    private final IntArray parents, slotDims;
    private final WorkerGrid unembedGrid;
    private final TornadoExecutionPlan plan;
    private final int graphs;
    private final FloatArray x, logits;
    private final IntArray positions, visible;
    /** Per-call sizes, one array per consumer kind, all EVERY_EXECUTION. */
    private final List<IntArray> rowDims = new ArrayList<>();
    private final List<IntArray> tiledDims = new ArrayList<>();
    private final IntArray ropeDims, attnDims, unembedDims;
    /** [vocab, 1 = apply the final soft-cap this call]; null without a final soft-cap. */
    private final IntArray softCapDims;
    /** Grids whose row axis follows the call: [grid, rowAxisIsY ? 1 : 0, tiled ? 1 : 0]. */
    private final List<WorkerGrid> rowGrids1D = new ArrayList<>(), rowGrids2D = new ArrayList<>(),
            tiledGrids = new ArrayList<>();
    private final List<Integer> tiledCols = new ArrayList<>();
    private final List<Integer> rowGrid2DWidth = new ArrayList<>();
    private final TowerRuns runs;
    private final FloatArray attentionScratch;
    /** Graphs that transfer (and so allocate) the shared scratch on the device; the others consume it. */
    private int scratchCopies;
    private int length;
    private boolean closed;

    /** A decoder with a float32 cache of {@code capacity} positions (prefix + generated tokens). */
    public DecoderGraph(DecoderTower tower, int capacity, TornadoDevice device) {
        this(tower, capacity, false, device);
    }

    /**
     * A decoder with room for {@code capacity} positions; {@code bf16Cache} rounds every cached key and
     * value to bfloat16 (big_vision's decode default), storage stays float32.
     */
    public DecoderGraph(DecoderTower tower, int capacity, boolean bf16Cache, TornadoDevice device) {
        this(tower, capacity, 1, bf16Cache, device, new TowerRuns());
    }

    /** As {@link #DecoderGraph(DecoderTower, int, boolean, TornadoDevice)} with caches for {@code beams} hypotheses. */
    public DecoderGraph(DecoderTower tower, int capacity, int beams, boolean bf16Cache, TornadoDevice device) {
        this(tower, capacity, beams, bf16Cache, device, new TowerRuns());
    }

    /** As {@link #DecoderGraph(DecoderTower, int, int, boolean, TornadoDevice)}, counting prefills and steps in {@code runs}. */
    DecoderGraph(DecoderTower tower, int capacity, int beams, boolean bf16Cache, TornadoDevice device, TowerRuns runs) {
        if (capacity < 1) throw new IllegalArgumentException("decoder graph: capacity must be ≥ 1, got " + capacity);
        if (beams < 1 || beams > capacity) {
            throw new IllegalArgumentException("decoder graph: beams must be in [1, capacity " + capacity + "], got " + beams);
        }
        this.t = tower;
        this.runs = runs;
        this.capacity = capacity;
        this.beams = beams;
        int d = t.width(), hd = t.headDim(), qkvW = t.qkvWidth(), kvW = t.kvHeads() * hd;
        int vocab = t.embedding().rows();
        x = new FloatArray(capacity * d);
        logits = new FloatArray(beams * vocab);
        positions = new IntArray(capacity);
        visible = new IntArray(capacity);
        cacheRows = new IntArray(capacity);
        regionBase = new IntArray(capacity);
        windowFirst = new IntArray(capacity);
        IntArray noWindow = new IntArray(capacity);
        noWindow.init(0);
        parents = beams > 1 ? new IntArray(beams) : null;
        slotDims = beams > 1 ? IntArray.fromElements(0, 0, kvW, capacity) : null;
        FloatArray reorderScratch = beams > 1 ? new FloatArray(beams * capacity * kvW) : null;
        FloatArray u = new FloatArray(capacity * d), qkv = new FloatArray(capacity * qkvW);
        FloatArray o = new FloatArray(capacity * t.heads() * hd), g = new FloatArray(capacity * t.mlp());
        FloatArray p = new FloatArray(capacity * t.heads() * capacity);
        FloatArray gelu = FloatArray.fromElements(NaiveOps.SQRT_2_OVER_PI, NaiveOps.GELU_CUBIC);
        FloatArray eps = FloatArray.fromElements(t.eps());
        FloatArray timescales = new FloatArray(hd / 2);
        for (int i = 0; i < hd / 2; i++) timescales.set(i, 1f / NaiveOps.ropeTimescale(t.ropeBase(), i, hd));   // reciprocal timescales
        FloatArray queryScale = FloatArray.fromElements(t.queryScale());
        FloatArray attnConsts = FloatArray.fromElements(1f, t.attnSoftCap());   // q is scaled before; the logit cap
        ropeDims = new IntArray(CacheKernels.DIMS);
        ropeDims.set(CacheKernels.HEADS, t.heads());
        ropeDims.set(CacheKernels.KV_HEADS, t.kvHeads());
        ropeDims.set(CacheKernels.HEAD_DIM, hd);
        ropeDims.set(CacheKernels.QKV_WIDTH, qkvW);
        ropeDims.set(CacheKernels.ROUND_BF16, bf16Cache ? 1 : 0);
        FloatArray pow2 = CacheKernels.powersOfTwo();
        attnDims = new IntArray(DeviceAttentionKernels.DIMS);
        attnDims.set(DeviceAttentionKernels.Q_STRIDE, qkvW);
        attnDims.set(DeviceAttentionKernels.HEADS, t.heads());
        attnDims.set(DeviceAttentionKernels.HEAD_DIM, hd);
        attnDims.set(DeviceAttentionKernels.KV_STRIDE, kvW);
        attnDims.set(DeviceAttentionKernels.KV_HEADS, t.kvHeads());
        attnDims.set(DeviceAttentionKernels.KV_CAPACITY, capacity);
        attnDims.set(DeviceAttentionKernels.OUT_STRIDE, t.heads() * hd);
        // one device copy for all layer graphs: allocated by llm_layer_0, then handed down the chain
        Object[] shared = beams > 1
                ? new Object[] {u, qkv, o, g, p, gelu, eps, timescales, queryScale, attnConsts, pow2, reorderScratch}
                : new Object[] {u, qkv, o, g, p, gelu, eps, timescales, queryScale, attnConsts, pow2};
        attentionScratch = p;
        GridScheduler grids = new GridScheduler();
        List<ImmutableTaskGraph> list = new ArrayList<>();

        String prev = null;
        for (int l = 0; l < t.blocks().size(); l++) {
            DecoderTower.Block b = t.blocks().get(l);
            String name = "llm_layer_" + l;
            TaskGraph gr = new TaskGraph(name);
            if (prev == null) {
                gr.transferToDevice(DataTransferMode.EVERY_EXECUTION, x).transferToDevice(DataTransferMode.FIRST_EXECUTION, shared);
                scratchCopies++;
            } else {
                gr.consumeFromDevice(prev, x).consumeFromDevice(prev, shared);
            }
            FloatArray keys = new FloatArray(beams * capacity * kvW), values = new FloatArray(beams * capacity * kvW);
            // a sliding-window layer reads each row's first key, the others zeros (each graph its own copy: a buffer
            // only some graphs read cannot be handed down the chain)
            IntArray first = t.sliding(l) ? windowFirst : noWindow;
            gr.transferToDevice(DataTransferMode.EVERY_EXECUTION, positions, visible, cacheRows, regionBase, ropeDims, attnDims)
                    .transferToDevice(t.sliding(l) ? DataTransferMode.EVERY_EXECUTION : DataTransferMode.FIRST_EXECUTION, first)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, keys, values);
            rmsNorm(gr, grids, name, "norm0", b.attnNorm(), u, eps);
            List<Weight> qkvParts = new ArrayList<>(List.of(b.query()));
            qkvParts.addAll(List.of(b.key()));
            qkvParts.addAll(List.of(b.value()));
            tiled(gr, grids, name, "qkv", u, DeviceWeight.columns(qkvParts.toArray(new Weight[0])),
                    qkv, TiledMatmulKernels.STORE, gelu);
            if (beams > 1) {
                gr.transferToDevice(DataTransferMode.EVERY_EXECUTION, parents, slotDims);
                reorder(gr, grids, name, "K", keys, reorderScratch);
                reorder(gr, grids, name, "V", values, reorderScratch);
            }
            gr.task("rope", CacheKernels::ropeAndCacheWrite, new KernelContext(), qkv, keys, values, positions,
                    cacheRows, timescales, ropeDims, queryScale, pow2);
            rowGrid2D(grids, name + ".rope", (t.heads() + t.kvHeads()) * (hd / 2));
            gr.task("attn", DeviceAttentionKernels::attentionWindowed, new KernelContext(), qkv, keys, values,
                    first, visible, regionBase, p, o, attnDims, attnConsts);
            rowGrid2D(grids, name + ".attn", t.heads());
            if (b.postAttnNorm() == null) {
                tiled(gr, grids, name, "proj", o, new DeviceWeight(b.out()), x, TiledMatmulKernels.RESIDUAL, gelu);
            } else {
                tiled(gr, grids, name, "proj", o, new DeviceWeight(b.out()), u, TiledMatmulKernels.STORE, gelu);
                postNorm(gr, grids, name, "postnorm0", b.postAttnNorm(), u, eps);
            }
            rmsNorm(gr, grids, name, "norm1", b.ffwNorm(), u, eps);
            tiled(gr, grids, name, "gate", u, new DeviceWeight(b.gate()), g, TiledMatmulKernels.GELU, gelu);
            tiled(gr, grids, name, "up", u, new DeviceWeight(b.up()), g, TiledMatmulKernels.MULTIPLY, gelu);
            if (b.postFfwNorm() == null) {
                tiled(gr, grids, name, "down", g, new DeviceWeight(b.down()), x, TiledMatmulKernels.RESIDUAL, gelu);
            } else {
                tiled(gr, grids, name, "down", g, new DeviceWeight(b.down()), u, TiledMatmulKernels.STORE, gelu);
                postNorm(gr, grids, name, "postnorm1", b.postFfwNorm(), u, eps);
            }
            list.add(gr.persistOnDevice(x).persistOnDevice(shared).snapshot());
            prev = name;
        }

        TaskGraph lg = new TaskGraph(LOGITS).consumeFromDevice(prev, x, u, eps);
        DeviceWeight e = new DeviceWeight(t.embedding());
        unembedDims = new IntArray(LinearKernels.DIMS);
        unembedDims.set(LinearKernels.IN, d);
        unembedDims.set(LinearKernels.OUT, e.rows);
        unembedDims.set(LinearKernels.ROWS, 1);
        lg.transferToDevice(DataTransferMode.EVERY_EXECUTION, unembedDims);
        rmsNorm(lg, grids, LOGITS, "norm", t.finalNorm(), u, eps);
        e.transposedTask(lg, "unembed", u, logits, unembedDims);
        unembedGrid = new WorkerGrid2D(vocab * LinearKernels.REDUCE_GROUP, 1);
        unembedGrid.setLocalWork(LinearKernels.REDUCE_GROUP, 1, 1);
        grids.addWorkerGrid(LOGITS + ".unembed", unembedGrid);
        if (t.finalSoftCap() > 0f) {
            softCapDims = IntArray.fromElements(vocab, 0);
            FloatArray cap = FloatArray.fromElements(t.finalSoftCap());
            lg.transferToDevice(DataTransferMode.EVERY_EXECUTION, softCapDims)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, cap)
                    .task("softcap", PointwiseKernels::softCap, new KernelContext(), logits, softCapDims, cap);
            grids.addWorkerGrid(LOGITS + ".softcap", new WorkerGrid1D(beams * vocab));
        } else {
            softCapDims = null;
        }
        list.add(lg.transferToHost(DataTransferMode.EVERY_EXECUTION, logits).snapshot());

        graphs = list.size();
        plan = new TornadoExecutionPlan(list.toArray(new ImmutableTaskGraph[0]));
        plan.withGridScheduler(grids).withDevice(device).withCompilerFlags(TornadoVMBackendType.OPENCL, KernelPlan.OPENCL_FLAGS);
    }

    private void rmsNorm(TaskGraph g, GridScheduler grids, String graph, String task, float[] scale, FloatArray y,
                         FloatArray eps) {
        IntArray d = IntArray.fromElements(t.width(), 0);
        FloatArray s = FloatArray.fromArray(scale);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, d).transferToDevice(DataTransferMode.FIRST_EXECUTION, s)
                .task(task, RowKernels::rmsNorm, new KernelContext(), x, s, y, d, eps);
        rowDims.add(d);
        WorkerGrid grid = new WorkerGrid1D(1);
        rowGrids1D.add(grid);
        grids.addWorkerGrid(graph + "." + task, grid);
    }

    /** {@code x += RMSNorm(y)·(1 + scale)}: Gemma 2's post norm of a sub-block's output, added to the residual. */
    private void postNorm(TaskGraph g, GridScheduler grids, String graph, String task, float[] scale, FloatArray y,
                          FloatArray eps) {
        IntArray d = IntArray.fromElements(t.width(), 0);
        FloatArray s = FloatArray.fromArray(scale);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, d).transferToDevice(DataTransferMode.FIRST_EXECUTION, s)
                .task(task, RowKernels::rmsNormAdd, new KernelContext(), y, s, x, d, eps);
        rowDims.add(d);
        WorkerGrid grid = new WorkerGrid1D(1);
        rowGrids1D.add(grid);
        grids.addWorkerGrid(graph + "." + task, grid);
    }

    private void tiled(TaskGraph g, GridScheduler grids, String graph, String task, FloatArray in, DeviceWeight w,
                       FloatArray y, int epilogue, FloatArray gelu) {
        IntArray d = new IntArray(TiledMatmulKernels.DIMS);
        d.set(LinearKernels.IN, w.rows);
        d.set(LinearKernels.OUT, w.cols);
        d.set(TiledMatmulKernels.EPILOGUE, epilogue);
        FloatArray zero = new FloatArray(w.cols);
        zero.init(0f);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, d).transferToDevice(DataTransferMode.FIRST_EXECUTION, zero);
        w.tiledTask(g, task, in, zero, y, d, gelu);
        tiledDims.add(d);
        WorkerGrid grid = new WorkerGrid2D(TiledMatmulKernels.launchSize(w.cols), TiledMatmulKernels.TILE);
        grid.setLocalWork(TiledMatmulKernels.TILE, TiledMatmulKernels.TILE, 1);
        tiledGrids.add(grid);
        tiledCols.add(w.cols);
        grids.addWorkerGrid(graph + "." + task, grid);
    }

    /** The beams' reorder of one cache: gather the regions that change into the scratch, then scatter them back. */
    private void reorder(TaskGraph g, GridScheduler grids, String graph, String cache, FloatArray data, FloatArray scratch) {
        g.task("gather" + cache, CacheKernels::gatherSlots, new KernelContext(), data, scratch, parents, slotDims)
                .task("scatter" + cache, CacheKernels::scatterSlots, new KernelContext(), data, scratch, parents, slotDims);
        int n = beams * capacity * t.kvHeads() * t.headDim();
        grids.addWorkerGrid(graph + ".gather" + cache, new WorkerGrid1D(n));
        grids.addWorkerGrid(graph + ".scatter" + cache, new WorkerGrid1D(n));
    }

    private void rowGrid2D(GridScheduler grids, String key, int width) {
        WorkerGrid grid = new WorkerGrid2D(width, 1);
        rowGrids2D.add(grid);
        rowGrid2DWidth.add(width);
        grids.addWorkerGrid(key, grid);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int beams() {
        return beams;
    }

    /**
     * Runs the prefix {@code x} [rows, D] (image tokens, then text embeddings) at positions 0…rows−1 with
     * full attention inside it, filling cache rows [0, rows) of hypothesis 0; returns the logits of the last row.
     */
    @Override
    public float[] prefill(float[] prefix, int rows) {
        if (rows < 1) throw new IllegalArgumentException("decoder graph: a prefix needs ≥ 1 row, got " + rows);
        length = 0;
        for (int r = 0; r < rows; r++) {
            setRow(r, r, rows, r, 0, false);
        }
        float[] out = new float[t.embedding().rows()];
        run(prefix, rows, false, rows - 1, new float[][] {out});
        runs.prefill();
        return out;
    }

    /** One token's embedding {@code x} [D] at the next position of hypothesis 0; returns the next logits. */
    @Override
    public float[] decode(float[] token) {
        float[] out = new float[t.embedding().rows()];
        step(null, 1, token, new float[][] {out});
        return out;
    }

    /**
     * One step of {@code n} hypotheses: hypothesis i continues {@code parents[i]} (null: i itself) with row i of
     * {@code embeddings}; its logits go to {@code out[i]}.
     */
    @Override
    public void step(int[] parentsOf, int n, float[] embeddings, float[][] out) {
        if (length == 0) throw new IllegalStateException("decoder graph: a step before prefill()");
        if (n < 1 || n > beams) {
            throw new IllegalArgumentException("decoder graph: a step of " + n + " hypotheses, this decoder holds " + beams);
        }
        int reorders = 0;
        for (int i = 0; i < n; i++) {
            int from = parentsOf == null ? i : parentsOf[i];
            if (from < 0 || from >= beams) {
                throw new IllegalArgumentException("decoder graph: parent " + from + " outside [0, " + beams + ")");
            }
            if (parents != null) parents.set(i, from);
            if (from != i) reorders++;
            if (parents == null && from != 0) {
                throw new IllegalArgumentException("decoder graph: one hypothesis only, parent must be 0, got " + from);
            }
            setRow(i, length, length + 1, i * capacity + length, i * capacity, true);
        }
        if (slotDims != null) {
            slotDims.set(CacheKernels.SLOT_COUNT, reorders == 0 ? 0 : n);
            slotDims.set(CacheKernels.SLOT_ROWS, length);
        }
        run(embeddings, n, true, 0, out);
        runs.decode();
    }

    /**
     * Row r: position, visible keys [first, visible) with the window, written to cache row {@code cacheRow}, region
     * {@code base}. Only generated rows ({@code windowed}) see the window: the bidirectional prefix is never windowed,
     * as in transformers (docs/model.md#gemma-2).
     */
    private void setRow(int r, int position, int visibleCount, int cacheRow, int base, boolean windowed) {
        positions.set(r, position);
        visible.set(r, visibleCount);
        cacheRows.set(r, cacheRow);
        regionBase.set(r, base);
        windowFirst.set(r, windowed && t.slidingWindow() > 0 ? Math.max(0, position - t.slidingWindow() + 1) : 0);
    }

    /**
     * Runs every graph over {@code rows} rows: the prefix ({@code step} false: logits of row {@code firstLogitRow}
     * alone, not soft-capped) or one position of {@code rows} hypotheses (each row's logits, soft-capped).
     */
    private void run(float[] in, int rows, boolean step, int firstLogitRow, float[][] out) {
        if (closed) throw new IllegalStateException("decoder graph: used after close()");
        int positionsAfter = step ? length + 1 : rows;
        if (positionsAfter > capacity) {
            throw new IllegalStateException("decoder graph: " + positionsAfter + " positions > capacity " + capacity);
        }
        if (in.length < rows * t.width()) {
            throw new IllegalArgumentException("decoder graph: x holds " + in.length + " values, expected " + rows + " × "
                    + t.width());
        }
        int logitRows = step ? rows : 1;
        MemorySegment.copy(in, 0, x.getSegment(), JAVA_FLOAT, 0, rows * t.width());
        for (IntArray d : rowDims) d.set(RowKernels.ROWS, rows);
        for (IntArray d : tiledDims) d.set(LinearKernels.ROWS, rows);
        ropeDims.set(CacheKernels.ROWS, rows);
        attnDims.set(DeviceAttentionKernels.ROWS, rows);
        unembedDims.set(LinearKernels.X_ROW, firstLogitRow);
        int vocab = t.embedding().rows();
        if (softCapDims != null) {
            softCapDims.set(0, logitRows * vocab);
            softCapDims.set(1, step ? 1 : 0);
        }
        unembedGrid.setGlobalWork(vocab * LinearKernels.REDUCE_GROUP, logitRows, 1);
        unembedGrid.setLocalWork(LinearKernels.REDUCE_GROUP, 1, 1);
        for (WorkerGrid gr : rowGrids1D) gr.setGlobalWork(rows, 1, 1);
        for (int i = 0; i < rowGrids2D.size(); i++) rowGrids2D.get(i).setGlobalWork(rowGrid2DWidth.get(i), rows, 1);
        for (int i = 0; i < tiledGrids.size(); i++) {
            WorkerGrid gr = tiledGrids.get(i);
            gr.setGlobalWork(TiledMatmulKernels.launchSize(tiledCols.get(i)), TiledMatmulKernels.launchSize(rows), 1);
            gr.setLocalWork(TiledMatmulKernels.TILE, TiledMatmulKernels.TILE, 1);
        }
        for (int i = 0; i < graphs; i++) {
            plan.withGraph(i).execute();
        }
        for (int j = 0; j < logitRows; j++) {
            MemorySegment.copy(logits.getSegment(), JAVA_FLOAT, (long) j * vocab * Float.BYTES, out[j], 0, vocab);
        }
        length = positionsAfter;
    }

    /** The attention-probability scratch {@code p} [capacity·heads·capacity] that every layer graph uses. */
    FloatArray attentionScratch() {
        return attentionScratch;
    }

    /** How many graphs allocate the shared scratch on the device (1: layer 0; the rest consume it). */
    int scratchDeviceCopies() {
        return scratchCopies;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        TowerPlans.close(plan, "decoder");
    }
}
