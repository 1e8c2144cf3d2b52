package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A 2-D weight matrix stored {@code [rows, cols]}, row-major, little-endian, kept in its stored type
 * (usually a slice of a memory-mapped checkpoint; never copied to float32).
 *
 * <p>As a dense layer's matrix ({@link Ops#matmul}, {@link Ops#prepare}) it maps {@link #in} inputs to {@link #out}
 * outputs, stored in one of two {@link Orientation}s: big_vision's kernels input-first ({@code [in, out]}), Hugging
 * Face's linear weights output-first ({@code [out, in]}, PyTorch's layout). Backends multiply by either as stored.
 * The tied embedding {@code [vocab, width]} is used as stored by {@link Ops#matmulTransposed}.
 */
public record Weight(MemorySegment data, WeightType type, int rows, int cols, Orientation orientation) {

    /** How a dense layer's matrix is stored. */
    public enum Orientation {
        /** {@code [in, out]}: row i holds input i's weight to every output (big_vision, Flax). */
        INPUT_FIRST,
        /** {@code [out, in]}: row o holds output o's weights over the inputs, one contiguous reduction (PyTorch). */
        OUTPUT_FIRST
    }

    public static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** An input-first weight {@code [rows = in, cols = out]}. */
    public Weight(MemorySegment data, WeightType type, int rows, int cols) {
        this(data, type, rows, cols, Orientation.INPUT_FIRST);
    }

    public Weight {
        java.util.Objects.requireNonNull(orientation, "orientation");
        long expected = rows <= 0 || cols <= 0 ? -1 : rows * type.rowBytes(cols);
        if (rows <= 0 || cols <= 0 || data.byteSize() != expected) {
            throw new IllegalArgumentException("weight [" + rows + ", " + cols + "] " + type + " needs "
                    + expected + " bytes, segment has " + data.byteSize());
        }
    }

    /** A float32 weight over a heap array (tests, small converted tensors). */
    public static Weight of(float[] values, int rows, int cols) {
        return new Weight(MemorySegment.ofArray(values), WeightType.F32, rows, cols);
    }

    /** An output-first float32 weight {@code [out, in]} over a heap array (tests). */
    public static Weight ofOutputFirst(float[] values, int out, int in) {
        return new Weight(MemorySegment.ofArray(values), WeightType.F32, out, in, Orientation.OUTPUT_FIRST);
    }

    /** An output-first weight {@code [out, in]} over {@code data} as stored (no copy). */
    public static Weight outputFirst(MemorySegment data, WeightType type, int out, int in) {
        return new Weight(data, type, out, in, Orientation.OUTPUT_FIRST);
    }

    /** Whether rows are outputs ({@code [out, in]}). */
    public boolean outputFirst() {
        return orientation == Orientation.OUTPUT_FIRST;
    }

    /** Inputs of the dense layer (the reduction length). */
    public int in() {
        return outputFirst() ? cols : rows;
    }

    /** Outputs of the dense layer. */
    public int out() {
        return outputFirst() ? rows : cols;
    }

    /** The layer's weight from input i to output o, widened to float32, whatever the orientation. */
    public float at(int i, int o) {
        return outputFirst() ? get(o, i) : get(i, o);
    }

    /**
     * This matrix input-first: itself if it is, else a transposed copy in {@code arena} in the stored type (for a
     * backend whose own copy exists anyway, such as a device upload). Q8_0 has no input-first form of its
     * output-first blocks.
     *
     * @throws IllegalArgumentException for an output-first Q8_0 weight
     */
    public Weight inputFirst(Arena arena) {
        if (!outputFirst()) return this;
        if (type == WeightType.Q8_0) {
            throw new IllegalArgumentException("an output-first Q8_0 weight [" + rows + ", " + cols
                    + "] has no input-first form (its blocks run along the inputs)");
        }
        int e = type.bytes;
        MemorySegment t = LazyMemory.allocate(arena, (long) rows * cols * e);
        final int tile = 64;                                   // both sides stay in cache
        for (int r0 = 0; r0 < rows; r0 += tile) {
            for (int c0 = 0; c0 < cols; c0 += tile) {
                for (int r = r0; r < Math.min(rows, r0 + tile); r++) {
                    for (int c = c0; c < Math.min(cols, c0 + tile); c++) {
                        long from = (long) r * cols + c, to = (long) c * rows + r;
                        if (e == 2) t.set(I16, to * 2, data.get(I16, from * 2));
                        else t.set(F32, to * 4, data.get(F32, from * 4));
                    }
                }
            }
        }
        return new Weight(t, type, cols, rows);
    }

    /** Element (r, c) widened to float32: the scalar reference every fast kernel is tested against. */
    public float get(int r, int c) {
        long i = (long) r * cols + c;
        return switch (type) {
            case F32 -> data.get(F32, i * 4);
            case BF16 -> Float.intBitsToFloat((data.get(I16, i * 2) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.get(I16, i * 2));
            case Q8_0 -> Q8.get(data, cols, r, c);
        };
    }

    /**
     * {@code parts} side by side in {@code arena}: {@code [rows, Σ cols]}, row r being row r of each part in
     * turn (fused projections: several narrow products of one input as one). The parts need the same row
     * count and type; for Q8_0 every column count but the last must be a multiple of {@link Q8#BLOCK}, so that no block
     * straddles two parts and the result is bit for bit the quantization of the side-by-side matrix.
     * Output-first parts (same inputs, all output-first) are joined as their outputs are stored: one after another.
     *
     * @throws IllegalArgumentException naming the first part that does not fit
     */
    public static Weight concatColumns(Weight[] parts, Arena arena) {
        if (parts[0].outputFirst()) return concatOutputRows(parts, arena);
        int rows = parts[0].rows(), cols = 0;
        WeightType type = parts[0].type();
        for (int i = 0; i < parts.length; i++) {
            Weight p = parts[i];
            boolean blocks = type != WeightType.Q8_0 || p.cols() % Q8.BLOCK == 0 || i == parts.length - 1;
            if (p.rows() != rows || p.type() != type || !blocks || p.outputFirst()) {
                throw new IllegalArgumentException("column concatenation: part " + i + " is " + p.type() + " [" + p.rows()
                        + ", " + p.cols() + "], expected " + type + " [" + rows + ", "
                        + (type == WeightType.Q8_0 ? "a multiple of " + Q8.BLOCK + " (all but the last part)" : "any") + "]");
            }
            cols += p.cols();
        }
        Weight joined = new Weight(LazyMemory.allocate(arena, rows * type.rowBytes(cols)), type, rows, cols);
        copyColumns(joined, parts, true);
        return joined;
    }

    /** {@link #concatColumns} of output-first parts: their rows one after another, the same inputs. */
    private static Weight concatOutputRows(Weight[] parts, Arena arena) {
        Weight first = parts[0];
        long bytes = 0;
        int rows = 0;
        for (int i = 0; i < parts.length; i++) {
            Weight p = parts[i];
            if (!p.outputFirst() || p.cols() != first.cols() || p.type() != first.type()) {
                throw new IllegalArgumentException("output concatenation: part " + i + " is " + p.type() + " "
                        + p.orientation() + " [" + p.rows() + ", " + p.cols() + "], expected " + first.type()
                        + " OUTPUT_FIRST [any, " + first.cols() + "]");
            }
            bytes += p.data().byteSize();
            rows += p.rows();
        }
        MemorySegment joined = LazyMemory.allocate(arena, bytes);
        long at = 0;
        for (Weight p : parts) {
            MemorySegment.copy(p.data(), 0, joined, at, p.data().byteSize());
            at += p.data().byteSize();
        }
        return new Weight(joined, first.type(), rows, first.cols(), Orientation.OUTPUT_FIRST);
    }

    /**
     * The inverse of {@link #concatColumns}: {@code w} cut into column blocks of {@code width} (the last
     * one narrower), each a contiguous {@code [rows, width]} copy in {@code arena}, filled in one
     * sequential pass over w's rows. {@code Ops.matmuls} over the blocks (block j's output at column
     * j·width of the same y) gives the products of {@code w} bit for bit, while each GEMM task reads
     * its block of W as one contiguous stream instead of pieces of every row. For Q8_0, {@code width}
     * must be a multiple of {@link Q8#BLOCK} (no quantization block is cut). An output-first weight's blocks of
     * outputs are contiguous already: they are its row slices, not copies (any width; Q8_0 blocks run along rows).
     *
     * @throws IllegalArgumentException for a width below 1, or one that cuts Q8_0 blocks
     */
    public static Weight[] columnBlocks(Weight w, int width, Arena arena) {
        if (w.outputFirst() && width >= 1) {
            Weight[] slices = new Weight[(w.rows() + width - 1) / width];
            for (int j = 0; j < slices.length; j++) slices[j] = w.rowSlice(j * width, Math.min(width, w.rows() - j * width));
            return slices;
        }
        if (width < 1 || (w.type() == WeightType.Q8_0 && width % Q8.BLOCK != 0)) {
            throw new IllegalArgumentException("column blocks of " + width + " for a " + w.type() + " [" + w.rows()
                    + ", " + w.cols() + "] weight: need at least 1" + (w.type() == WeightType.Q8_0
                    ? ", a multiple of " + Q8.BLOCK : ""));
        }
        int count = (w.cols() + width - 1) / width;
        Weight[] parts = new Weight[count];
        for (int j = 0; j < count; j++) {
            int cols = Math.min(width, w.cols() - j * width);
            parts[j] = new Weight(arena.allocate(w.rows() * w.type().rowBytes(cols), 64), w.type(), w.rows(), cols);
        }
        copyColumns(w, parts, false);
        return parts;
    }

    /**
     * Row by row, each part's row to ({@code join}) or from its columns of {@code whole}'s row. A row is its
     * Q8_0 scales (none for the other types), then its values, so a part's row is two pieces of the
     * whole's: its scales among the whole's scales and its values among the whole's values.
     */
    private static void copyColumns(Weight whole, Weight[] parts, boolean join) {
        long wholeRow = whole.type().rowBytes(whole.cols()), valuesAt = scaleBytes(whole);
        for (int r = 0; r < whole.rows(); r++) {
            long scales = r * wholeRow, values = scales + valuesAt;
            for (Weight p : parts) {
                long partScales = scaleBytes(p), partValues = p.type().rowBytes(p.cols()) - partScales;
                long partRow = r * (partScales + partValues);
                copy(whole.data(), scales, p.data(), partRow, partScales, join);
                copy(whole.data(), values, p.data(), partRow + partScales, partValues, join);
                scales += partScales;
                values += partValues;
            }
        }
    }

    /** Bytes of one row's Q8_0 scales ahead of its values (0 for the other types). */
    private static long scaleBytes(Weight w) {
        return w.type() == WeightType.Q8_0 ? 2L * Q8.blocks(w.cols()) : 0;
    }

    private static void copy(MemorySegment whole, long wholeAt, MemorySegment part, long partAt, long bytes, boolean join) {
        if (join) {
            MemorySegment.copy(part, partAt, whole, wholeAt, bytes);
        } else {
            MemorySegment.copy(whole, wholeAt, part, partAt, bytes);
        }
    }

    /** Rows {@code [from, from + n)} as a weight of its own (no copy). */
    public Weight rowSlice(int from, int n) {
        long rowBytes = type.rowBytes(cols);
        return new Weight(data.asSlice(from * rowBytes, n * rowBytes), type, n, cols, orientation);
    }
}
