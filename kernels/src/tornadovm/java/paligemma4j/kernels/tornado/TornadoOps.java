package paligemma4j.kernels.tornado;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.OpChecks;
import paligemma4j.kernels.Rows;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link Ops} on a TornadoVM device: every operation is one kernel launch (see {@link TiledMatmulKernels},
 * {@link LinearKernels}, {@link RowKernels}, {@link PointwiseKernels}, {@link DeviceAttentionKernels}). The
 * model's float[] activations are copied to off-heap buffers and back on every call, while each
 * {@link Weight} is copied to the device once, in its stored type, and cached by its memory region
 * (the record's equality: same segment, type and shape).
 *
 * <p>Each operation owns one compiled plan reused for every call; its buffers grow (and the plan is
 * rebuilt, i.e. recompiled) only when a call needs more room than any before. Matmuls have one plan
 * per weight because the weight is bound to the graph.
 *
 * <p>As {@link TowerOps} it also runs whole towers as device-resident task graphs ({@link VisionTowerGraph},
 * {@link DecoderGraph}): activations and the KV cache stay on the device, weights are sent once. The
 * model takes that route for greedy and beam decoding without a stage observer; {@link #towerRuns()} and
 * {@link #perOpPlans()} show which route ran.
 *
 * <p>Refuses to start unless {@code -Dtornado.recover.bailout=False}: with bailout on, a kernel that
 * fails to compile silently runs as sequential Java, which for these {@link KernelContext} kernels
 * computes only work-item 0. The constructor also runs {@link FallbackProbe} and refuses if it did not
 * run on the device.
 */
public final class TornadoOps implements Ops, TowerOps, AutoCloseable {

    private final TornadoDevice device;
    private final Map<Weight, WeightPlans> weights = new HashMap<>();
    private final List<KernelPlan> plans = new ArrayList<>();
    private final TowerRuns towerRuns = new TowerRuns();

    private final IntArray dims = new IntArray(DeviceAttentionKernels.DIMS);
    private final FloatArray consts = new FloatArray(2);
    private final FloatArray gelu = FloatArray.fromElements(NaiveOps.SQRT_2_OVER_PI, NaiveOps.GELU_CUBIC);

    private Buffers layerNorm, rmsNorm, geluBuffers, scaleBuffers, binary, rope, attention, argmax;

    /** On TornadoVM's default device. */
    public TornadoOps() {
        this(TornadoExecutionPlan.DEFAULT_DEVICE);
    }

    /** On {@code device} (see {@link Devices}). */
    public TornadoOps(TornadoDevice device) {
        if (!"false".equalsIgnoreCase(System.getProperty("tornado.recover.bailout"))) {
            throw new IllegalStateException("TornadoOps needs -Dtornado.recover.bailout=False: with bailout on, a kernel "
                    + "that fails to compile silently runs as sequential Java and returns wrong values");
        }
        this.device = device;
        FallbackProbe.requireDevice(device);
    }

    /** The device every kernel runs on. */
    public TornadoDevice device() {
        return device;
    }

    /** The tower graphs take every weight type: float32, bfloat16 and float16 (decoded in the kernels), Q8_0 (likewise). */
    @Override
    public boolean supports(WeightType type) {
        return true;
    }

    /** The whole vision tower as device-resident task graphs on this backend's device. The caller closes it. */
    @Override
    public VisionTowerGraph vision(VitTower tower) {
        return new VisionTowerGraph(tower, device, towerRuns);
    }

    /** Gemma 1 and 2 decoders (post norms, soft-caps, grouped KV heads, sliding window). */
    @Override
    public boolean runs(DecoderTower tower) {
        return true;
    }

    /**
     * The decoder as device-resident task graphs with a KV cache of {@code capacity} positions per hypothesis
     * ({@code beams} of them). The caller closes it.
     */
    @Override
    public DecoderGraph decoder(DecoderTower tower, int capacity, int beams, boolean bf16Cache) {
        return new DecoderGraph(tower, capacity, beams, bf16Cache, device, towerRuns);
    }

    /** The device kernels read input-first matrices ({@link DeviceWeight}): Q8_0 must be quantized that way. */
    @Override
    public boolean readsInputFirst() {
        return true;
    }

    /** How often the tower graphs handed out by this backend ran. */
    public TowerRuns towerRuns() {
        return towerRuns;
    }

    /** Per-op plans compiled so far (0 while every call went through the tower graphs). */
    public int perOpPlans() {
        return plans.size();
    }

    /** Off-heap buffers of one operation and the plan compiled against them. */
    private static final class Buffers {
        KernelPlan plan;
        FloatArray a, b, c, d, e;
        IntArray i;
        int capA, capB, capC;

        boolean fits(int needA, int needB, int needC) {
            return plan != null && needA <= capA && needB <= capB && needC <= capC;
        }
    }

    /** A weight's host copy and its matmul / transposed plans with their activation buffers. */
    private static final class WeightPlans {
        final DeviceWeight w;
        final Buffers matmul = new Buffers(), transposed = new Buffers(), transposedOneRow = new Buffers();

        WeightPlans(Weight w) {
            this.w = new DeviceWeight(w, false);
        }
    }

    private static int grow(int need, int have) {
        return need <= have ? have : Math.max(Math.max(need, 2 * have), 1);
    }

    private KernelPlan replace(KernelPlan old, KernelPlan fresh) {
        if (old != null) {
            plans.remove(old);
            old.close();
        }
        plans.add(fresh);
        return fresh;
    }

    private static void copyIn(float[] src, int off, FloatArray dst, int dstOff, int n) {
        MemorySegment.copy(src, off, dst.getSegment(), JAVA_FLOAT, (long) dstOff * 4, n);
    }

    private static void copyOut(FloatArray src, int srcOff, float[] dst, int off, int n) {
        MemorySegment.copy(src.getSegment(), JAVA_FLOAT, (long) srcOff * 4, dst, off, n);
    }

    private WeightPlans plans(Weight w) {
        return weights.computeIfAbsent(w, WeightPlans::new);
    }

    @Override
    public void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        OpChecks.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
        if (rows == 0) return;
        int in = w.in(), out = w.out();
        WeightPlans wp = plans(w);
        // local-memory tiles; one row (decode) takes the kernel's split-k path
        Buffers s = wp.matmul;
        if (!s.fits(rows * in, rows * out, 0)) {
            int capX = grow(rows * in, s.capA), capY = grow(rows * out, s.capB);
            s.a = new FloatArray(capX);
            s.b = new FloatArray(capY);
            s.c = new FloatArray(out);
            s.i = new IntArray(TiledMatmulKernels.DIMS);
            s.capA = capX;
            s.capB = capY;
            DeviceWeight dw = wp.w;
            FloatArray xa = s.a, ya = s.b, ba = s.c;
            IntArray d = s.i;
            s.plan = replace(s.plan, new KernelPlan("matmul", name -> {
                TaskGraph g = new TaskGraph(name);
                KernelContext ctx = new KernelContext();
                if (dw.isHalf()) {
                    g.transferToDevice(DataTransferMode.FIRST_EXECUTION, dw.half, dw.format, dw.table, dw.consts, gelu)
                            .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, ba, d)
                            .task(KernelPlan.TASK, TiledMatmulKernels::matmulHalf, ctx, xa, dw.half, ba, ya, d, gelu,
                                    dw.format, dw.table, dw.consts);
                } else {
                    g.transferToDevice(DataTransferMode.FIRST_EXECUTION, dw.f32, gelu)
                            .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, ba, d)
                            .task(KernelPlan.TASK, TiledMatmulKernels::matmulF32, ctx, xa, dw.f32, ba, ya, d, gelu);
                }
                return g.transferToHost(DataTransferMode.EVERY_EXECUTION, ya);
            }, device));
        }
        copyIn(x, 0, s.a, 0, rows * in);
        if (bias == null) {
            s.c.init(0f);
        } else {
            copyIn(bias, biasOff, s.c, 0, out);
        }
        s.i.set(LinearKernels.IN, in);
        s.i.set(LinearKernels.OUT, out);
        s.i.set(LinearKernels.ROWS, rows);
        s.i.set(TiledMatmulKernels.EPILOGUE, TiledMatmulKernels.STORE);
        int t = TiledMatmulKernels.TILE;
        s.plan.run(TiledMatmulKernels.launchSize(out), TiledMatmulKernels.launchSize(rows), t, t);
        for (int r = 0; r < rows; r++) {
            copyOut(s.b, r * out, y, r * yStride + yOff, out);
        }
    }

    @Override
    public void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        OpChecks.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
        if (rows == 0) return;
        int in = w.cols(), out = w.rows();
        WeightPlans wp = plans(new Weight(w.data(), w.type(), w.rows(), w.cols()));   // the stored rows, never transposed
        // one row (greedy decode's logits): a work-group per output; more rows: a work-item per output
        boolean reduced = rows == 1;
        Buffers s = reduced ? wp.transposedOneRow : wp.transposed;
        if (!s.fits(rows * in, rows * out, 0)) {
            int capX = grow(rows * in, s.capA), capY = grow(rows * out, s.capB);
            s.a = new FloatArray(capX);
            s.b = new FloatArray(capY);
            s.i = new IntArray(LinearKernels.DIMS);
            s.capA = capX;
            s.capB = capY;
            DeviceWeight dw = wp.w;
            FloatArray xa = s.a, ya = s.b;
            IntArray d = s.i;
            s.plan = replace(s.plan, new KernelPlan(reduced ? "matmulTReduced" : "matmulT", name -> {
                TaskGraph g = new TaskGraph(name);
                KernelContext ctx = new KernelContext();
                if (dw.isHalf()) {
                    g.transferToDevice(DataTransferMode.FIRST_EXECUTION, dw.half, dw.format, dw.table, dw.consts)
                            .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, d);
                    if (reduced) {
                        g.task(KernelPlan.TASK, LinearKernels::matmulTransposedReducedHalf, ctx, xa, dw.half, ya, d,
                                dw.format, dw.table, dw.consts);
                    } else {
                        g.task(KernelPlan.TASK, LinearKernels::matmulTransposedHalf, ctx, xa, dw.half, ya, d,
                                dw.format, dw.table, dw.consts);
                    }
                } else {
                    g.transferToDevice(DataTransferMode.FIRST_EXECUTION, dw.f32)
                            .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, d);
                    if (reduced) {
                        g.task(KernelPlan.TASK, LinearKernels::matmulTransposedReducedF32, ctx, xa, dw.f32, ya, d);
                    } else {
                        g.task(KernelPlan.TASK, LinearKernels::matmulTransposedF32, ctx, xa, dw.f32, ya, d);
                    }
                }
                return g.transferToHost(DataTransferMode.EVERY_EXECUTION, ya);
            }, device));
        }
        for (int r = 0; r < rows; r++) {
            copyIn(x, xOff + r * xStride, s.a, r * in, in);
        }
        s.i.set(LinearKernels.IN, in);
        s.i.set(LinearKernels.OUT, out);
        s.i.set(LinearKernels.ROWS, rows);
        s.i.set(LinearKernels.X_ROW, 0);
        if (reduced) {
            s.plan.run((long) out * LinearKernels.REDUCE_GROUP, 1, LinearKernels.REDUCE_GROUP, 1);
        } else {
            s.plan.run(out, rows);
        }
        for (int r = 0; r < rows; r++) {
            copyOut(s.b, r * out, y, r * yStride + yOff, out);
        }
    }

    @Override
    public void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y) {
        OpChecks.rows("layerNorm", "x", x, 0, rows, width);
        OpChecks.rows("layerNorm", "y", y, 0, rows, width);
        OpChecks.atLeast("layerNorm", "scale", scale.length, width);
        OpChecks.atLeast("layerNorm", "bias", bias.length, width);
        if (rows == 0) return;
        if (layerNorm == null) layerNorm = new Buffers();
        Buffers s = layerNorm;
        int n = rows * width;
        if (!s.fits(n, width, 0)) {
            s.capA = grow(n, s.capA);
            s.capB = grow(width, s.capB);
            FloatArray xa = s.a = new FloatArray(s.capA), ya = s.b = new FloatArray(s.capA);
            FloatArray sc = s.c = new FloatArray(s.capB), bi = s.d = new FloatArray(s.capB);
            s.plan = replace(s.plan, new KernelPlan("layerNorm", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, sc, bi, dims, consts)
                    .task(KernelPlan.TASK, RowKernels::layerNorm, new KernelContext(), xa, sc, bi, ya, dims, consts)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, ya), device));
        }
        copyIn(x, 0, s.a, 0, n);
        copyIn(scale, 0, s.c, 0, width);
        copyIn(bias, 0, s.d, 0, width);
        dims.set(RowKernels.WIDTH, width);
        dims.set(RowKernels.ROWS, rows);
        consts.set(0, eps);
        s.plan.run(rows, 1);
        copyOut(s.b, 0, y, 0, n);
    }

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff) {
        OpChecks.rows("rmsNorm", "x", x, xOff, rows, width);
        OpChecks.rows("rmsNorm", "y", y, yOff, rows, width);
        OpChecks.atLeast("rmsNorm", "scale", scale.length, width);
        if (rows == 0) return;
        if (rmsNorm == null) rmsNorm = new Buffers();
        Buffers s = rmsNorm;
        int n = rows * width;
        if (!s.fits(n, width, 0)) {
            s.capA = grow(n, s.capA);
            s.capB = grow(width, s.capB);
            FloatArray xa = s.a = new FloatArray(s.capA), ya = s.b = new FloatArray(s.capA);
            FloatArray sc = s.c = new FloatArray(s.capB);
            s.plan = replace(s.plan, new KernelPlan("rmsNorm", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, sc, dims, consts)
                    .task(KernelPlan.TASK, RowKernels::rmsNorm, new KernelContext(), xa, sc, ya, dims, consts)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, ya), device));
        }
        copyIn(x, xOff, s.a, 0, n);
        copyIn(scale, 0, s.c, 0, width);
        dims.set(RowKernels.WIDTH, width);
        dims.set(RowKernels.ROWS, rows);
        consts.set(0, eps);
        s.plan.run(rows, 1);
        copyOut(s.b, 0, y, yOff, n);
    }

    @Override
    public void gelu(float[] x, int n) {
        OpChecks.atLeast("gelu", "x", x.length, n);
        if (n == 0) return;
        if (geluBuffers == null) geluBuffers = new Buffers();
        Buffers s = inPlace(geluBuffers, n, "gelu", gelu,
                (g, xa) -> g.task(KernelPlan.TASK, PointwiseKernels::gelu, new KernelContext(), xa, dims, gelu));
        copyIn(x, 0, s.a, 0, n);
        dims.set(0, n);
        s.plan.run(n, 1);
        copyOut(s.a, 0, x, 0, n);
    }

    @Override
    public void scale(float[] x, int off, int n, float sc) {
        OpChecks.atLeast("scale", "x from " + off, x.length, (long) off + n);
        if (n == 0) return;
        if (scaleBuffers == null) scaleBuffers = new Buffers();
        Buffers s = inPlace(scaleBuffers, n, "scale", consts,
                (g, xa) -> g.task(KernelPlan.TASK, PointwiseKernels::scale, new KernelContext(), xa, dims, consts));
        copyIn(x, off, s.a, 0, n);
        dims.set(0, n);
        consts.set(0, sc);
        s.plan.run(n, 1);
        copyOut(s.a, 0, x, off, n);
    }

    /**
     * {@code s} with room for {@code n} floats in {@code s.a} and its plan: one in-place element-wise task over
     * {@code s.a} that also reads {@code dims} and {@code constants}, added to the graph by {@code task}; rebuilt only
     * when {@code n} outgrows it.
     */
    private Buffers inPlace(Buffers s, int n, String op, FloatArray constants,
                            java.util.function.BiFunction<TaskGraph, FloatArray, TaskGraph> task) {
        if (!s.fits(n, 0, 0)) {
            s.capA = grow(n, s.capA);
            FloatArray xa = s.a = new FloatArray(s.capA);
            s.plan = replace(s.plan, new KernelPlan(op, name -> task.apply(new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, dims, constants), xa)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, xa), device));
        }
        return s;
    }

    /** Two-input element-wise plans (geluGate, add) share their buffers: in place on {@code a}, {@code b} read. */
    private KernelPlan addPlan;

    private Buffers binary(int n) {
        if (binary == null) binary = new Buffers();
        Buffers s = binary;
        if (!s.fits(n, 0, 0)) {
            s.capA = grow(n, s.capA);
            FloatArray xa = s.a = new FloatArray(s.capA), ya = s.b = new FloatArray(s.capA);
            s.plan = replace(s.plan, new KernelPlan("geluGate", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, ya, dims, gelu)
                    .task(KernelPlan.TASK, PointwiseKernels::geluGate, new KernelContext(), xa, ya, dims, gelu)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, xa), device));
            addPlan = replace(addPlan, new KernelPlan("add", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, ya, dims)
                    .task(KernelPlan.TASK, PointwiseKernels::add, new KernelContext(), xa, ya, dims)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, xa), device));
        }
        return s;
    }

    @Override
    public void geluGate(float[] gate, float[] up, int n) {
        OpChecks.atLeast("geluGate", "gate", gate.length, n);
        OpChecks.atLeast("geluGate", "up", up.length, n);
        if (n == 0) return;
        Buffers s = binary(n);
        copyIn(gate, 0, s.a, 0, n);
        copyIn(up, 0, s.b, 0, n);
        dims.set(0, n);
        s.plan.run(n, 1);
        copyOut(s.a, 0, gate, 0, n);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        OpChecks.atLeast("add", "x", x.length, n);
        OpChecks.atLeast("add", "y", y.length, n);
        if (n == 0) return;
        Buffers s = binary(n);
        copyIn(x, 0, s.a, 0, n);
        copyIn(y, 0, s.b, 0, n);
        dims.set(0, n);
        addPlan.run(n, 1);
        copyOut(s.a, 0, x, 0, n);
    }

    @Override
    public void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rope: headDim must be even, got " + headDim);
        }
        OpChecks.atLeast("rope", "positions", positions.length, rows);
        if (rows == 0 || heads == 0) return;
        int n = (rows - 1) * rowStride + heads * headDim;
        OpChecks.atLeast("rope", "x [" + rows + " rows, stride " + rowStride + "]", x.length, n);
        int half = headDim / 2;
        if (rope == null) rope = new Buffers();
        Buffers s = rope;
        if (!s.fits(n, rows, half)) {
            s.capA = grow(n, s.capA);
            s.capB = grow(rows, s.capB);
            s.capC = grow(half, s.capC);
            FloatArray xa = s.a = new FloatArray(s.capA), ts = s.b = new FloatArray(s.capC);
            IntArray pos = s.i = new IntArray(s.capB);
            s.plan = replace(s.plan, new KernelPlan("rope", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, pos, ts, dims)
                    .task(KernelPlan.TASK, PointwiseKernels::rope, new KernelContext(), xa, pos, ts, dims)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, xa), device));
        }
        copyIn(x, 0, s.a, 0, n);
        for (int r = 0; r < rows; r++) s.i.set(r, positions[r]);
        for (int i = 0; i < half; i++) s.b.set(i, 1f / NaiveOps.ropeTimescale(base, i, headDim));   // reciprocal timescales
        dims.set(PointwiseKernels.ROPE_ROWS, rows);
        dims.set(PointwiseKernels.ROPE_ROW_STRIDE, rowStride);
        dims.set(PointwiseKernels.ROPE_HEADS, heads);
        dims.set(PointwiseKernels.ROPE_HEAD_DIM, headDim);
        s.plan.run((long) heads * half, rows);
        copyOut(s.a, 0, x, 0, n);
    }

    @Override
    public void attention(AttentionShape shape, Rows qView, int rows, Rows kView, Rows vView, int[] visible, Rows outView) {
        OpChecks.attention(shape, qView, rows, kView, vView, visible, outView);
        if (kView.stride() != vView.stride()) {
            throw new IllegalArgumentException("attention: keys (stride " + kView.stride() + ") and values (stride "
                    + vView.stride() + ") must share their row stride");
        }
        float[] q = qView.data(), k = kView.data(), v = vView.data(), out = outView.data();
        int qStride = qView.stride(), kvStride = kView.stride(), outStride = outView.stride();
        int heads = shape.heads(), kvHeads = shape.kvHeads(), headDim = shape.headDim();
        float qDivisor = shape.qDivisor();
        if (rows == 0 || heads == 0) return;
        int maxVisible = 0;
        for (int r = 0; r < rows; r++) maxVisible = Math.max(maxVisible, visible[r]);
        int nq = (rows - 1) * qStride + heads * headDim;
        int nkv = maxVisible == 0 ? 0 : (maxVisible - 1) * kvStride + kvHeads * headDim;
        int outWidth = heads * headDim;
        if (attention == null) attention = new Buffers();
        Buffers s = attention;
        // capA: q, capB: k and v, capC: rows × heads × kvCapacity probabilities
        int kvCapacity = Math.max(1, maxVisible);
        if (!s.fits(Math.max(nq, rows * outWidth), Math.max(nkv, 1), rows * heads * kvCapacity)
                || s.i.getSize() < rows) {
            s.capA = grow(Math.max(nq, rows * outWidth), s.capA);
            s.capB = grow(Math.max(nkv, 1), s.capB);
            s.capC = grow(rows * heads * kvCapacity, s.capC);
            FloatArray qa = s.a = new FloatArray(s.capA), oa = s.b = new FloatArray(s.capA);
            FloatArray ka = s.c = new FloatArray(s.capB), va = s.d = new FloatArray(s.capB);
            FloatArray scratch = s.e = new FloatArray(s.capC);
            IntArray vis = s.i = new IntArray(Math.max(rows, s.i == null ? 0 : s.i.getSize()));
            s.plan = replace(s.plan, new KernelPlan("attention", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, scratch)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, qa, ka, va, vis, dims, consts)
                    .task(KernelPlan.TASK, DeviceAttentionKernels::attention, new KernelContext(), qa, ka, va, vis, scratch,
                            oa, dims, consts)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, oa), device));
        }
        copyIn(q, qView.offset(), s.a, 0, nq);
        if (nkv > 0) {
            copyIn(k, kView.offset(), s.c, 0, nkv);
            copyIn(v, vView.offset(), s.d, 0, nkv);
        }
        for (int r = 0; r < rows; r++) s.i.set(r, visible[r]);
        dims.set(DeviceAttentionKernels.Q_STRIDE, qStride);
        dims.set(DeviceAttentionKernels.ROWS, rows);
        dims.set(DeviceAttentionKernels.HEADS, heads);
        dims.set(DeviceAttentionKernels.HEAD_DIM, headDim);
        dims.set(DeviceAttentionKernels.KV_STRIDE, kvStride);
        dims.set(DeviceAttentionKernels.KV_HEADS, kvHeads);
        dims.set(DeviceAttentionKernels.KV_CAPACITY, kvCapacity);
        dims.set(DeviceAttentionKernels.OUT_STRIDE, outWidth);
        consts.set(0, qDivisor);
        consts.set(1, shape.softCap());
        s.plan.run(heads, rows);
        for (int r = 0; r < rows; r++) {
            copyOut(s.b, r * outWidth, out, outView.at(r, 0), outWidth);
        }
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        OpChecks.atLeast("argmax", "x from " + off, x.length, (long) off + n);
        if (n <= 0) {
            throw new IllegalArgumentException("argmax: n must be > 0, got " + n);
        }
        if (argmax == null) argmax = new Buffers();
        Buffers s = argmax;
        if (!s.fits(n, 0, 0)) {
            s.capA = grow(n, s.capA);
            FloatArray xa = s.a = new FloatArray(s.capA);
            IntArray result = s.i = new IntArray(1);
            s.plan = replace(s.plan, new KernelPlan("argmax", name -> new TaskGraph(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, dims)
                    .task(KernelPlan.TASK, RowKernels::argmax, new KernelContext(), xa, dims, result)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, result), device));
        }
        copyIn(x, off, s.a, 0, n);
        dims.set(0, n);
        s.plan.runOneGroup(RowKernels.ARGMAX_GROUP);
        return s.i.get(0);
    }

    /** Frees every plan's device memory; the weights are uploaded again if used after this. */
    @Override
    public void close() {
        for (KernelPlan p : plans) p.close();
        plans.clear();
        weights.clear();
        layerNorm = rmsNorm = geluBuffers = scaleBuffers = binary = rope = attention = argmax = null;
        addPlan = null;
    }
}
