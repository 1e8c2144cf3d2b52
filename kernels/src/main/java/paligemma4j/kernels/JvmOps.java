package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * {@link Ops} on the JVM with the Vector API ({@code jdk.incubator.vector}) on every core: weights stay in their
 * stored type and are widened to float32 in registers, accumulation is float32. Matrix products are
 * {@link JvmProducts}, attention {@link JvmAttention}, prepared weights {@link JvmLinear}; norms and RoPE are
 * split by rows, element-wise operations by ranges. Every split depends on the shapes only, so results are the
 * same for any thread count.
 *
 * <p>The worker threads are created once; scratch buffers are per thread and reused ({@link Scratch}), so a
 * call allocates nothing but its task bookkeeping. One instance may be used from several threads (calls are
 * serialised on its pool).
 */
public final class JvmOps implements Ops, AutoCloseable {

    /** Fewest rows the packed GEMM handles; below, one matrix-vector pass per row. */
    static final int MATMUL_MIN_ROWS = JvmProducts.MATMUL_MIN_ROWS;
    /** Element-wise work below this many elements runs on the calling thread. */
    private static final int SERIAL_ELEMENTS = 1 << 15;

    private final WorkerPool pool;
    private final Scratch scratch = new Scratch();
    private final JvmProducts products;
    private final JvmAttention attention;
    /** Makes the encoder's column blocks in the background, in the order they were prepared. */
    private final ExecutorService background = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("paligemma4j-weight-preparation").unstarted(r));
    private volatile RopeTable ropeTable;

    /** Uses every core the JVM sees. */
    public JvmOps() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Uses {@code threads} threads, the calling one included. */
    public JvmOps(int threads) {
        this.pool = new WorkerPool(threads);
        this.products = new JvmProducts(pool, scratch);
        this.attention = new JvmAttention(pool, scratch);
    }

    /** Threads the operations use, the calling one included. */
    public int threads() {
        return pool.threads();
    }

    /** The vector width of every JVM kernel, in float lanes (8 with AVX2, 16 with AVX-512 enabled). */
    public static int vectorLanes() {
        return Simd.L;
    }

    /** The vector width of the matmul micro-kernel, in float lanes (8 with AVX2, 16 with AVX-512 enabled). */
    public static int matmulLanes() {
        return MatmulKernels.L;
    }

    @Override
    public Linear prepare(Linear.Use use, Weight[] parts, float[][] biases, Consumer<MemorySegment> release) {
        return JvmLinear.prepare(use, parts, biases, release, background);
    }

    @Override
    public void linear(float[] x, int rows, Linear w, Rows... ys) {
        if (w instanceof JvmLinear jvm) {
            jvm.apply(products, x, rows, ys);
        } else {
            Ops.super.linear(x, rows, w, ys);
        }
    }

    @Override
    public void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        products.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
    }

    @Override
    public void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        products.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
    }

    @Override
    public void attention(AttentionShape shape, Rows q, int rows, Rows k, Rows v, int[] visible, Rows out) {
        attention.attention(shape, q, rows, k, v, visible, out);
    }

    @Override
    public void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y) {
        OpChecks.rows("layerNorm", "x", x, 0, rows, width);
        OpChecks.rows("layerNorm", "y", y, 0, rows, width);
        forRows(rows, width, r -> NormKernels.layerNormRow(x, r * width, width, scale, bias, eps, y, r * width));
    }

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff) {
        OpChecks.rows("rmsNorm", "x", x, xOff, rows, width);
        OpChecks.rows("rmsNorm", "y", y, yOff, rows, width);
        forRows(rows, width, r -> NormKernels.rmsNormRow(x, xOff + r * width, width, scale, eps, y, yOff + r * width));
    }

    @Override
    public void gelu(float[] x, int n) {
        OpChecks.atLeast("gelu", "x", x.length, n);
        forRange(n, (from, to) -> ActivationKernels.gelu(x, from, to, scratch.floats(Scratch.WIDENED, ActivationKernels.CHUNK)));
    }

    @Override
    public void geluGate(float[] gate, float[] up, int n) {
        OpChecks.atLeast("geluGate", "gate", gate.length, n);
        OpChecks.atLeast("geluGate", "up", up.length, n);
        forRange(n, (from, to) -> ActivationKernels.geluGate(gate, up, from, to, scratch.floats(Scratch.WIDENED, ActivationKernels.CHUNK)));
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        OpChecks.atLeast("add", "x", x.length, n);
        OpChecks.atLeast("add", "y", y.length, n);
        forRange(n, (from, to) -> ActivationKernels.add(x, y, from, to));
    }

    @Override
    public void scale(float[] x, int off, int n, float s) {
        OpChecks.atLeast("scale", "x", x.length, (long) off + n);
        forRange(n, (from, to) -> ActivationKernels.scale(x, off + from, off + to, s));
    }

    @Override
    public void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base) {
        OpChecks.atLeast("rope", "positions", positions.length, rows);
        if (rows > 0) {
            OpChecks.atLeast("rope", "x", x.length, (long) (rows - 1) * rowStride + (long) heads * headDim);
        }
        int maxPos = 0;
        for (int r = 0; r < rows; r++) {
            OpChecks.positive("rope", "positions[" + r + "]", positions[r]);
            maxPos = Math.max(maxPos, positions[r]);
        }
        RopeTable table = ropeTable(base, headDim, maxPos + 1);
        int half = headDim / 2;
        forRows(rows, heads * headDim, r -> {
            for (int h = 0; h < heads; h++) {
                RopeKernels.rotate(x, r * rowStride + h * headDim, half, table.cos, table.sin, positions[r] * half);
            }
        });
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        OpChecks.atLeast("argmax", "x from " + off, x.length, (long) off + n);
        if (n <= 0) {
            throw new IllegalArgumentException("argmax: needs at least one element, got n = " + n);
        }
        return ReduceKernels.argmax(x, off, n);
    }

    @Override
    public void close() {
        pool.close();
        background.shutdownNow();
    }

    // ---- splitting helpers -------------------------------------------------------------------

    private interface RangeBody {
        void run(int from, int to);
    }

    private void forRange(int n, RangeBody body) {
        if (n <= SERIAL_ELEMENTS || pool.threads() == 1) {
            body.run(0, n);
            return;
        }
        int chunk = JvmProducts.ceilDiv(JvmProducts.ceilDiv(n, pool.threads() * JvmProducts.TASKS_PER_THREAD), Simd.L) * Simd.L;
        pool.run(JvmProducts.ceilDiv(n, chunk), t -> body.run(t * chunk, Math.min(n, (t + 1) * chunk)));
    }

    private void forRows(int rows, int rowElements, java.util.function.IntConsumer body) {
        if ((long) rows * rowElements <= SERIAL_ELEMENTS || rows == 1) {
            for (int r = 0; r < rows; r++) {
                body.accept(r);
            }
            return;
        }
        pool.run(rows, body);
    }

    // ---- RoPE angle table --------------------------------------------------------------------

    /** cos/sin of every (position, frequency) up to {@code positions}, for one base and head size. */
    private record RopeTable(float base, int headDim, int positions, float[] cos, float[] sin) {
    }

    private RopeTable ropeTable(float base, int headDim, int positions) {
        RopeTable t = ropeTable;
        if (t != null && t.base == base && t.headDim == headDim && t.positions >= positions) {
            return t;
        }
        synchronized (this) {
            t = ropeTable;
            if (t != null && t.base == base && t.headDim == headDim && t.positions >= positions) {
                return t;
            }
            int size = Math.max(positions, t != null && t.base == base && t.headDim == headDim ? 2 * t.positions : 1024);
            int half = headDim / 2;
            float[] cos = new float[size * half], sin = new float[size * half];
            RopeKernels.table(base, headDim, size, cos, sin);
            t = new RopeTable(base, headDim, size, cos, sin);
            ropeTable = t;
            return t;
        }
    }

}
