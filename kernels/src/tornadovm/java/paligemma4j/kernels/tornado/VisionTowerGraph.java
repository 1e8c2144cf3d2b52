package paligemma4j.kernels.tornado;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.VitTower;
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
 * The whole vision tower (SigLIP encoder + projector) as TornadoVM task graphs, one per block: the
 * patches go in, the image tokens come out, everything between stays on the device. Weights are
 * transferred once (first execution); only {@code patches} (and the position table that seeds the
 * residual stream) travel per image.
 *
 * <pre>
 * graph vit_embed                                  buffers
 *   in   EVERY_EXECUTION  patches [N, P·P·3], x ← positions [N, W]
 *   in   FIRST_EXECUTION  Wpatch, bpatch, gelu constants
 *   task patch   x += patches·Wpatch + bpatch      tiled matmul, RESIDUAL epilogue (matmul + pos add: 2→1)
 *   out  persist          x, gelu
 *
 * graph vit_block_l  (l = 0 … depth−1)
 *   in   consume          x, gelu  (from vit_embed / vit_block_{l−1})
 *   in   consume          scratch y, qkv, a, h, p, visible  (l ≥ 1: from vit_block_{l−1})
 *   in   FIRST_EXECUTION  scratch y, qkv, a, h, p, visible  (l = 0 only: the one device copy)
 *   in   FIRST_EXECUTION  LN0, LN1 scale/bias, Wqkv = [Wq|Wk|Wv], bqkv, Wo, bo, W1, b1, W2, b2
 *   task ln0     y   = LayerNorm0(x)                       one work-item per row
 *   task qkv     qkv = y·Wqkv + bqkv   [N, 3W]              tiled matmul (q, k, v projections: 3→1)
 *   task attn    a   = softmax(q/√d · kᵀ) · v  per head     packed q|k|v, probabilities in p [N·heads·N]
 *   task proj    x  += a·Wo + bo                            tiled matmul, RESIDUAL epilogue (2→1)
 *   task ln1     y   = LayerNorm1(x)
 *   task fc1     h   = gelu_tanh(y·W1 + b1)   [N, MLP]       tiled matmul, GELU epilogue (2→1)
 *   task fc2     x  += h·W2 + b2                            tiled matmul, RESIDUAL epilogue (2→1)
 *   out  persist          x, gelu, scratch y, qkv, a, h, p, visible
 *
 * graph vit_head
 *   in   consume          x, gelu, scratch y  (from vit_block_{depth−1})
 *   in   FIRST_EXECUTION  encoder-norm scale/bias, Whead, bhead
 *   task norm    y    = LayerNorm(x)
 *   task head    zimg = y·Whead + bhead   [N, D]             tiled matmul
 *   out  EVERY_EXECUTION  zimg
 * </pre>
 *
 * 7 tasks per block where the per-op path ({@link TornadoOps}) launches 12 and copies every activation
 * both ways. Device buffers for activations: one each of x, y, qkv, a, h, p, visible for the whole
 * tower — vit_block_0 allocates the scratch, every later graph takes TornadoVM's device buffer over
 * from the graph before it ({@code consumeFromDevice} / {@code persistOnDevice} chain) — so activation
 * memory is N·(W + W + 3W + W + MLP) + N²·heads floats whatever the depth (the attention
 * probabilities p dominate: N²·heads floats, 1.07 GB at 896 px with 16 heads). Only the weights
 * grow with depth. The chain relies on the graphs running in order (as {@link #forward} does):
 * TornadoVM hands a consumed buffer over from the graph that ran last.
 */
public final class VisionTowerGraph implements TowerOps.Vision {

    private static final String EMBED = "vit_embed", HEAD = "vit_head";

    private final VitTower t;
    private final TornadoExecutionPlan plan;
    private final int graphs;
    private final FloatArray patches, x, zimg;
    private final TowerRuns runs;
    /** The shared activation scratch (y, qkv, a, h, p, visible): one host array and one device buffer each. */
    private final Object[] scratch;
    private final FloatArray attentionScratch;
    /** Graphs that transfer (and so allocate) the scratch on the device; the others consume it. */
    private int scratchCopies;
    private boolean closed;

    /** The tower on {@code device}; weights go to the device with the first {@link #forward}. */
    public VisionTowerGraph(VitTower tower, TornadoDevice device) {
        this(tower, device, new TowerRuns());
    }

    /** As {@link #VisionTowerGraph(VitTower, TornadoDevice)}, counting each forward in {@code runs}. */
    VisionTowerGraph(VitTower tower, TornadoDevice device, TowerRuns runs) {
        this.t = tower;
        this.runs = runs;
        int n = t.tokens(), w = t.width();
        patches = new FloatArray(n * t.patchWidth());
        x = FloatArray.fromArray(t.positions());
        zimg = new FloatArray(n * t.head().out());
        FloatArray gelu = FloatArray.fromElements(NaiveOps.SQRT_2_OVER_PI, NaiveOps.GELU_CUBIC);
        GridScheduler grids = new GridScheduler();
        List<ImmutableTaskGraph> list = new ArrayList<>();

        // vit_embed
        DeviceWeight wp = new DeviceWeight(t.patchKernel());
        TaskGraph embed = new TaskGraph(EMBED).transferToDevice(DataTransferMode.EVERY_EXECUTION, patches, x)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, gelu);
        FloatArray bp = FloatArray.fromArray(t.patchBias());
        tiled(embed, grids, EMBED, "patch", patches, wp, bp, x, n, TiledMatmulKernels.RESIDUAL, gelu);
        list.add(embed.persistOnDevice(x, gelu).snapshot());

        // vit_block_l: one set of scratch buffers, allocated by block 0 and handed down the chain
        FloatArray y = new FloatArray(n * w), qkv = new FloatArray(n * 3 * w), a = new FloatArray(n * w);
        FloatArray h = new FloatArray(n * t.mlp()), p = new FloatArray(n * t.heads() * n);
        IntArray visible = new IntArray(n);
        visible.init(n);
        scratch = new Object[] {y, qkv, a, h, p, visible};
        attentionScratch = p;
        String prev = EMBED;
        for (int l = 0; l < t.blocks().size(); l++) {
            VitTower.Block b = t.blocks().get(l);
            String name = "vit_block_" + l;
            TaskGraph g = new TaskGraph(name).consumeFromDevice(prev, x, gelu);
            if (l == 0) {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, scratch);
                scratchCopies++;
            } else {
                g.consumeFromDevice(prev, scratch);
            }
            layerNorm(g, grids, name, "ln0", x, b.ln0Scale(), b.ln0Bias(), y);
            tiled(g, grids, name, "qkv", y, DeviceWeight.columns(b.query(), b.key(), b.value()),
                    FloatArray.fromArray(WeightConcat.vectors(b.queryBias(), b.keyBias(), b.valueBias())), qkv, n,
                    TiledMatmulKernels.STORE, gelu);
            IntArray ad = new IntArray(DeviceAttentionKernels.DIMS);
            ad.set(DeviceAttentionKernels.Q_STRIDE, 3 * w);
            ad.set(DeviceAttentionKernels.ROWS, n);
            ad.set(DeviceAttentionKernels.HEADS, t.heads());
            ad.set(DeviceAttentionKernels.HEAD_DIM, t.headDim());
            ad.set(DeviceAttentionKernels.KV_STRIDE, 3 * w);
            ad.set(DeviceAttentionKernels.KV_HEADS, t.heads());
            ad.set(DeviceAttentionKernels.KV_CAPACITY, n);
            ad.set(DeviceAttentionKernels.OUT_STRIDE, w);
            ad.set(DeviceAttentionKernels.K_OFFSET, w);
            ad.set(DeviceAttentionKernels.V_OFFSET, 2 * w);
            FloatArray qDivisor = FloatArray.fromElements((float) Math.sqrt(t.headDim()));
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, ad, qDivisor)
                    .task("attn", DeviceAttentionKernels::attentionPacked, new KernelContext(), qkv, visible, p, a, ad, qDivisor);
            grids.addWorkerGrid(name + ".attn", new WorkerGrid2D(t.heads(), n));
            tiled(g, grids, name, "proj", a, new DeviceWeight(b.out()), FloatArray.fromArray(b.outBias()), x, n,
                    TiledMatmulKernels.RESIDUAL, gelu);
            layerNorm(g, grids, name, "ln1", x, b.ln1Scale(), b.ln1Bias(), y);
            tiled(g, grids, name, "fc1", y, new DeviceWeight(b.fc1()), FloatArray.fromArray(b.fc1Bias()), h, n,
                    TiledMatmulKernels.GELU, gelu);
            tiled(g, grids, name, "fc2", h, new DeviceWeight(b.fc2()), FloatArray.fromArray(b.fc2Bias()), x, n,
                    TiledMatmulKernels.RESIDUAL, gelu);
            list.add(g.persistOnDevice(x, gelu).persistOnDevice(scratch).snapshot());
            prev = name;
        }

        // vit_head
        TaskGraph head = new TaskGraph(HEAD).consumeFromDevice(prev, x, gelu, y);
        layerNorm(head, grids, HEAD, "norm", x, t.normScale(), t.normBias(), y);
        tiled(head, grids, HEAD, "head", y, new DeviceWeight(t.head()), FloatArray.fromArray(t.headBias()), zimg, n,
                TiledMatmulKernels.STORE, gelu);
        list.add(head.transferToHost(DataTransferMode.EVERY_EXECUTION, zimg).snapshot());

        graphs = list.size();
        plan = new TornadoExecutionPlan(list.toArray(new ImmutableTaskGraph[0]));
        plan.withGridScheduler(grids).withDevice(device).withCompilerFlags(TornadoVMBackendType.OPENCL, KernelPlan.OPENCL_FLAGS);
    }

    /**
     * Adds a tiled matmul task {@code y ⊕= x·W + b} over {@code rows} rows and its 16×16 work-groups; the
     * graph must already transfer {@code gelu} (once per graph).
     */
    private static void tiled(TaskGraph g, GridScheduler grids, String graph, String task, FloatArray x, DeviceWeight w,
                              FloatArray bias, FloatArray y, int rows, int epilogue, FloatArray gelu) {
        IntArray d = new IntArray(TiledMatmulKernels.DIMS);
        d.set(LinearKernels.IN, w.rows);
        d.set(LinearKernels.OUT, w.cols);
        d.set(LinearKernels.ROWS, rows);
        d.set(TiledMatmulKernels.EPILOGUE, epilogue);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, bias, d);
        w.tiledTask(g, task, x, bias, y, d, gelu);
        WorkerGrid grid = new WorkerGrid2D(TiledMatmulKernels.launchSize(w.cols), TiledMatmulKernels.launchSize(rows));
        grid.setLocalWork(TiledMatmulKernels.TILE, TiledMatmulKernels.TILE, 1);
        grids.addWorkerGrid(graph + "." + task, grid);
    }

    /** Adds a LayerNorm task {@code y = LN(x)} over the tower's rows. */
    private void layerNorm(TaskGraph g, GridScheduler grids, String graph, String task, FloatArray x, float[] scale,
                           float[] bias, FloatArray y) {
        IntArray d = IntArray.fromElements(t.width(), t.tokens());
        FloatArray eps = FloatArray.fromElements(t.eps());
        FloatArray s = FloatArray.fromArray(scale), b = FloatArray.fromArray(bias);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s, b, d, eps)
                .task(task, RowKernels::layerNorm, new KernelContext(), x, s, b, y, d, eps);
        grids.addWorkerGrid(graph + "." + task, new WorkerGrid1D(t.tokens()));
    }

    /**
     * Image tokens {@code [N, D]} of flattened patches {@code [N, P·P·3]} (row per patch, as
     * {@code SiglipEncoder.patchify} lays them out).
     */
    @Override
    public float[] forward(float[] flatPatches) {
        if (closed) throw new IllegalStateException("vision tower: used after close()");
        if (flatPatches.length != patches.getSize()) {
            throw new IllegalArgumentException("vision tower: patches hold " + flatPatches.length + " values, expected "
                    + t.tokens() + " × " + t.patchWidth());
        }
        MemorySegment.copy(flatPatches, 0, patches.getSegment(), JAVA_FLOAT, 0, flatPatches.length);
        float[] out = TowerPlans.runAll(plan, graphs, zimg);
        runs.vision();
        return out;
    }

    /** The attention-probability scratch {@code p} [N·heads·N] that every block graph uses. */
    FloatArray attentionScratch() {
        return attentionScratch;
    }

    /** How many graphs allocate the scratch on the device (1: block 0; the rest consume it). */
    int scratchDeviceCopies() {
        return scratchCopies;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        TowerPlans.close(plan, "vision tower");
    }
}
