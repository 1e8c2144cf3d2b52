package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An {@link Ops} that passes every call to another one and adds up, per stage label, operation and
 * shape, the calls, the wall time and the work done: the floating-point operations of the
 * compute-bound calls and the weight bytes of the bandwidth-bound ones (a matrix product with fewer
 * than {@link #MATVEC_ROWS} rows reads its weights once per row). What {@code bench --profile}
 * prints, to show where the time goes. Not thread-safe: the model calls its ops from one thread.
 */
public final class ProfiledOps implements Ops {

    /** Row counts below this are reported as matrix-vector products (GB/s of weights), above as GFLOP/s. */
    public static final int MATVEC_ROWS = JvmOps.MATMUL_MIN_ROWS;

    /** One row of the profile. {@code flop} and {@code bytes} are totals over the calls (one of them is 0). */
    public record Entry(String stage, String op, String shape, long calls, long nanos, double flop, double bytes) {
        /** GFLOP/s or GB/s, whichever applies; NaN for the element-wise ops. */
        public double rate() {
            double seconds = nanos / 1e9;
            return flop > 0 ? flop / seconds / 1e9 : bytes > 0 ? bytes / seconds / 1e9 : Double.NaN;
        }

        public String rateUnit() {
            return flop > 0 ? "GFLOP/s" : bytes > 0 ? "GB/s" : "";
        }
    }

    private final Ops inner;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private String stage = "";

    public ProfiledOps(Ops inner) {
        this.inner = inner;
    }

    /** Labels the calls from now on (e.g. "vision", "prefill", "decode"). */
    public void stage(String label) {
        this.stage = label;
    }

    /** Forgets everything recorded so far. */
    public void reset() {
        entries.clear();
    }

    /** The entries, in order of first appearance. */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    private void record(String op, String shape, long t0, double flop, double bytes) {
        long dt = System.nanoTime() - t0;
        String key = stage + '\u0000' + op + '\u0000' + shape;
        Entry e = entries.get(key);
        entries.put(key, e == null ? new Entry(stage, op, shape, 1, dt, flop, bytes)
                : new Entry(stage, op, shape, e.calls() + 1, e.nanos() + dt, e.flop() + flop, e.bytes() + bytes));
    }

    private static String dims(Weight w) {
        return w.in() + "x" + w.out() + " " + w.type().name().toLowerCase() + (w.outputFirst() ? " out-first" : "");
    }

    private static double matmulFlop(int rows, Weight w) {
        return rows >= MATVEC_ROWS ? 2.0 * rows * w.rows() * w.cols() : 0;
    }

    private static double matvecBytes(int rows, Weight w) {
        return rows < MATVEC_ROWS ? (double) rows * w.data().byteSize() : 0;
    }

    @Override
    public void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        long t = System.nanoTime();
        inner.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
        record("matmul", rows + "x" + dims(w), t, matmulFlop(rows, w), matvecBytes(rows, w));
    }

    @Override
    public boolean readsInputFirst() {
        return inner.readsInputFirst();
    }

    @Override
    public Linear prepare(Linear.Use use, Weight[] parts, float[][] biases, Consumer<MemorySegment> release) {
        return inner.prepare(use, parts, biases, release);
    }

    @Override
    public void linear(float[] x, int rows, Linear w, Rows... ys) {
        long t = System.nanoTime();
        inner.linear(x, rows, w, ys);
        double flop = 0, bytes = 0;
        for (int i = 0; i < w.count(); i++) {
            double weights = (double) w.in() * w.out(i);
            flop += rows >= MATVEC_ROWS ? 2.0 * rows * weights : 0;
            bytes += rows < MATVEC_ROWS ? rows * (double) w.in() * w.type(i).rowBytes(w.out(i)) : 0;
        }
        String type = w.type(0).name().toLowerCase();
        record("linear", rows + "x" + w.count() + "*" + w.in() + "x" + w.out(0) + " " + type, t, flop, bytes);
    }

    @Override
    public void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        long t = System.nanoTime();
        inner.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
        record("matmulTransposed", rows + "x" + dims(w), t, matmulFlop(rows, w), matvecBytes(rows, w));
    }

    @Override
    public void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y) {
        long t = System.nanoTime();
        inner.layerNorm(x, rows, width, scale, bias, eps, y);
        record("layerNorm", rows + "x" + width, t, 0, 0);
    }

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff) {
        long t = System.nanoTime();
        inner.rmsNorm(x, xOff, rows, width, scale, eps, y, yOff);
        record("rmsNorm", rows + "x" + width, t, 0, 0);
    }

    @Override
    public void gelu(float[] x, int n) {
        long t = System.nanoTime();
        inner.gelu(x, n);
        record("gelu", String.valueOf(n), t, 0, 0);
    }

    @Override
    public void geluGate(float[] gate, float[] up, int n) {
        long t = System.nanoTime();
        inner.geluGate(gate, up, n);
        record("geluGate", String.valueOf(n), t, 0, 0);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        long t = System.nanoTime();
        inner.add(x, y, n);
        record("add", String.valueOf(n), t, 0, 0);
    }

    @Override
    public void scale(float[] x, int off, int n, float s) {
        long t = System.nanoTime();
        inner.scale(x, off, n, s);
        record("scale", String.valueOf(n), t, 0, 0);
    }

    @Override
    public void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base) {
        long t = System.nanoTime();
        inner.rope(x, rows, rowStride, heads, headDim, positions, base);
        record("rope", rows + "x" + heads + "x" + headDim, t, 0, 0);
    }

    @Override
    public void attention(AttentionShape s, Rows q, int rows, Rows k, Rows v, int[] visible, Rows out) {
        long t = System.nanoTime();
        inner.attention(s, q, rows, k, v, visible, out);
        double flop = 0;
        for (int r = 0; r < rows; r++) {
            flop += 4.0 * visible[r] * s.heads() * s.headDim();            // q·k and p·v
        }
        record("attention", rows + " rows, " + s.heads() + "/" + s.kvHeads() + " heads of " + s.headDim(), t, flop, 0);
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        long t = System.nanoTime();
        int i = inner.argmax(x, off, n);
        record("argmax", String.valueOf(n), t, 0, 0);
        return i;
    }
}
