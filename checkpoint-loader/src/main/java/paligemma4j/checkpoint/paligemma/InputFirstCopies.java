package paligemma4j.checkpoint.paligemma;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * The one step that turns Hugging Face's output-first tensors into the input-first matrices the towers take:
 * transposed copies in the stored type (bf16 stays bf16), off-heap, freed when the model is unreachable. Costs
 * one pass over every linear weight at load and their size in memory besides the mapped file, whose pages the
 * caller releases after each copy (docs/model.md#hugging-face-checkpoints). A later change that multiplies by
 * output-first weights directly replaces this class.
 */
final class InputFirstCopies {
    private InputFirstCopies() {}

    /** Tile edge of the blocked transpose, so both sides stay in cache. */
    private static final int TILE = 64;

    /**
     * Rows {@code [from, from + rows)} of the output-first {@code [out, cols]} matrix {@code t}, transposed into an
     * input-first {@code [cols, rows]} weight.
     */
    static Weight transposed(Tensor t, long from, int rows, int cols, Arena arena) {
        WeightType type = type(t);
        int e = type.bytes;
        if (t.size() < (from + rows) * cols) {
            throw new CheckpointException("tensor " + t.key() + ": " + t.size() + " elements, cannot take rows [" + from
                    + ", " + (from + rows) + ") of width " + cols);
        }
        MemorySegment src = t.data().asSlice(from * cols * e, (long) rows * cols * e);
        MemorySegment dst = arena.allocate((long) rows * cols * e, 64);
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int r1 = Math.min(rows, r0 + TILE), c1 = Math.min(cols, c0 + TILE);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) copy(src, ((long) r * cols + c) * e, dst, ((long) c * rows + r) * e, e);
                }
            }
        }
        return new Weight(dst, type, cols, rows);
    }

    /** The conv patch kernel {@code (W, 3, P, P)} (OIHW) as big_vision's HWIO matmul {@code [P·P·3, W]}. */
    static Weight patchKernel(Tensor t, int width, int patch, Arena arena) {
        WeightType type = type(t);
        int e = type.bytes, k = patch * patch * 3;
        MemorySegment src = t.data(), dst = arena.allocate((long) k * width * e, 64);
        for (int o = 0; o < width; o++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < patch; y++) {
                    for (int x = 0; x < patch; x++) {
                        long from = (((long) o * 3 + c) * patch + y) * patch + x;
                        long row = ((long) y * patch + x) * 3 + c;
                        copy(src, from * e, dst, (row * width + o) * e, e);
                    }
                }
            }
        }
        return new Weight(dst, type, k, width);
    }

    private static void copy(MemorySegment src, long from, MemorySegment dst, long to, int bytes) {
        if (bytes == 2) {
            dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, to, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from));
        } else {
            dst.set(ValueLayout.JAVA_INT_UNALIGNED, to, src.get(ValueLayout.JAVA_INT_UNALIGNED, from));
        }
    }

    static WeightType type(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> WeightType.F32;
            case BFLOAT16 -> WeightType.BF16;
            case FLOAT16 -> WeightType.F16;
            default -> throw new CheckpointException("tensor " + t.key() + ": weights must be float32, bfloat16 or float16, found "
                    + t.dtype().jsonName);
        };
    }
}
