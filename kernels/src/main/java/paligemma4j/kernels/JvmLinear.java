package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The JVM backend's form of a {@link Linear}, chosen by {@link Use}:
 * <ul>
 *   <li>{@link Use#ENCODER}: every input-first matrix wider than {@link #COLUMN_BLOCK} cut into contiguous column
 *       blocks ({@link Weight#columnBlocks}), so that each GEMM task reads its block of W as one stream instead of a
 *       few hundred bytes of every row; the blocks are copied in the background and the stored bytes released. An
 *       output-first matrix's blocks of outputs are contiguous as stored: it is used as it is (still mapped);</li>
 *   <li>{@link Use#DECODER}: the matrices as stored, plus, for narrow input-first Q8_0 matrices, one side-by-side
 *       copy ({@link Weight#concatColumns}) that a one-row call runs as a single matrix-vector product over long
 *       rows (output-first rows are as long as the input already).</li>
 * </ul>
 * Every form gives the products of the stored matrices bit for bit: only the order in which W is read changes.
 */
final class JvmLinear implements Linear {

    /** Columns per block of the encoder's matrices: the GEMM's narrowest task width, so a task reads one block. */
    static final int COLUMN_BLOCK = 128;
    /** Q8_0 matrices narrower than this are joined side by side for one-row calls (short rows stream poorly). */
    static final int JOIN_BELOW_COLUMNS = 1024;

    /** Matrices cut into column blocks: block p of matrix {@code output[p]} writes its columns from {@code column[p]}. */
    private record Blocks(Weight[] parts, float[][] biases, int[] output, int[] column) {}

    private final int in;
    private final int[] outs;
    private final WeightType[] types;
    /** The matrices as stored; null for a blocked form (its blocks replace them). */
    private final Weight[] parts;
    private final float[][] biases;
    /** The side-by-side copy of every part for one-row calls, or null. */
    private final Weight joined;
    private float[] joinedRow;
    /** The column blocks, made in the background; null when not blocked. */
    private final CompletableFuture<Blocks> blocks;

    private JvmLinear(int in, int[] outs, WeightType[] types, Weight[] parts, float[][] biases, Weight joined,
                      CompletableFuture<Blocks> blocks) {
        this.in = in;
        this.outs = outs;
        this.types = types;
        this.parts = parts;
        this.biases = biases;
        this.joined = joined;
        this.blocks = blocks;
    }

    /** The JVM form of {@code parts} for {@code use}; block copies run on {@code background}. */
    static JvmLinear prepare(Use use, Weight[] parts, float[][] biases, Consumer<MemorySegment> release,
                             Executor background) {
        OpChecks.linearParts(parts, biases);
        Weight[] ws = parts.clone();
        float[][] bs = biases == null ? new float[ws.length][] : biases.clone();
        int[] outs = Arrays.stream(ws).mapToInt(Weight::out).toArray();
        WeightType[] types = Arrays.stream(ws).map(Weight::type).toArray(WeightType[]::new);
        boolean wide = Arrays.stream(ws).anyMatch(JvmLinear::blocked);
        if (use == Use.ENCODER && wide) {
            CompletableFuture<Blocks> blocks = CompletableFuture.supplyAsync(() -> columnBlocks(ws, bs, release), background);
            return new JvmLinear(ws[0].in(), outs, types, null, bs, null, blocks);
        }
        boolean join = use == Use.DECODER && ws.length > 1 && Arrays.stream(ws).allMatch(w -> !w.outputFirst()
                && w.type() == WeightType.Q8_0 && w.cols() % Q8.BLOCK == 0 && w.cols() < JOIN_BELOW_COLUMNS);
        return new JvmLinear(ws[0].in(), outs, types, ws, bs, join ? Weight.concatColumns(ws, Arena.ofAuto()) : null,
                null);
    }

    /** Whether the encoder form cuts {@code w} into column blocks: input-first and wider than one block. */
    private static boolean blocked(Weight w) {
        return !w.outputFirst() && w.cols() > COLUMN_BLOCK;
    }

    private static Blocks columnBlocks(Weight[] ws, float[][] biases, Consumer<MemorySegment> release) {
        List<Weight> parts = new ArrayList<>();
        List<float[]> partBiases = new ArrayList<>();
        List<Integer> output = new ArrayList<>(), column = new ArrayList<>();
        for (int i = 0; i < ws.length; i++) {
            Weight w = ws[i];
            Weight[] cut = blocked(w) ? Weight.columnBlocks(w, COLUMN_BLOCK, Arena.ofAuto()) : new Weight[] {w};
            for (int j = 0; j < cut.length; j++) {
                int c0 = j * COLUMN_BLOCK;
                parts.add(cut[j]);
                float[] bias = biases[i];
                partBiases.add(bias == null || cut.length == 1 ? bias : Arrays.copyOfRange(bias, c0, c0 + cut[j].cols()));
                output.add(i);
                column.add(c0);
            }
            if (cut.length > 1) release.accept(w.data());
        }
        return new Blocks(parts.toArray(Weight[]::new), partBiases.toArray(float[][]::new),
                output.stream().mapToInt(Integer::intValue).toArray(), column.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@code ys[i] = x · W_i + b_i} through this form's route. */
    void apply(JvmProducts products, float[] x, int rows, Rows[] ys) {
        OpChecks.atLeast("linear", "outputs", ys.length, outs.length);
        if (blocks != null) {
            Blocks b = blocks();
            Rows[] out = new Rows[b.parts().length];
            for (int p = 0; p < out.length; p++) {
                Rows y = ys[b.output()[p]];
                out[p] = new Rows(y.data(), y.offset() + b.column()[p], y.stride());
            }
            products.products(x, rows, b.parts(), b.biases(), out);
        } else if (rows == 1 && joined != null) {            // one row: every part from one product over long rows
            if (joinedRow == null) joinedRow = new float[joined.cols()];
            products.matmul(x, 1, joined, null, 0, joinedRow, 0, joined.cols());
            for (int i = 0, at = 0; i < outs.length; at += outs[i], i++) {
                float[] bias = biases[i];
                for (int o = 0; o < outs[i]; o++) {
                    ys[i].data()[ys[i].offset() + o] = bias == null ? joinedRow[at + o] : joinedRow[at + o] + bias[o];
                }
            }
        } else {
            products.products(x, rows, parts, biases, ys);
        }
    }

    private Blocks blocks() {
        try {
            return blocks.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("copying weights as column blocks failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public int count() {
        return outs.length;
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out(int i) {
        return outs[i];
    }

    @Override
    public WeightType type(int i) {
        return types[i];
    }

    @Override
    public Linear parts(int from, int to) {
        int[] o = Arrays.copyOfRange(outs, from, to);
        WeightType[] t = Arrays.copyOfRange(types, from, to);
        float[][] b = Arrays.copyOfRange(biases, from, to);
        if (blocks == null) return new JvmLinear(in, o, t, Arrays.copyOfRange(parts, from, to), b, null, null);
        CompletableFuture<Blocks> subset = blocks.thenApply(all -> {
            List<Integer> keep = new ArrayList<>();
            for (int p = 0; p < all.parts().length; p++) if (all.output()[p] >= from && all.output()[p] < to) keep.add(p);
            return new Blocks(keep.stream().map(p -> all.parts()[p]).toArray(Weight[]::new),
                    keep.stream().map(p -> all.biases()[p]).toArray(float[][]::new),
                    keep.stream().mapToInt(p -> all.output()[p] - from).toArray(),
                    keep.stream().mapToInt(p -> all.column()[p]).toArray());
        });
        return new JvmLinear(in, o, t, null, b, null, subset);
    }
}
