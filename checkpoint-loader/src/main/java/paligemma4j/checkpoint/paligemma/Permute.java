package paligemma4j.checkpoint.paligemma;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import paligemma4j.checkpoint.DType;

/**
 * Axis permutations and element-type changes of raw tensor bytes, for {@link CheckpointConverter}: a tensor's
 * layout in one format is a permutation of a (reshaped) tensor in the other. Rank-2 transposes run in tiles.
 */
final class Permute {
    private Permute() {}

    /** {@code src} of {@code shape} with its axes reordered ({@code out axis i = in axis perm[i]}), in a new segment. */
    static MemorySegment permute(MemorySegment src, long[] shape, int[] perm, int e, Arena arena) {
        MemorySegment dst = arena.allocate(src.byteSize(), 64);
        if (shape.length == 2 && perm[0] == 1) {
            transpose(src, (int) shape[0], (int) shape[1], e, dst);
            return dst;
        }
        int n = shape.length;
        long[] stride = new long[n];
        long s = 1;
        for (int i = n - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        long[] outShape = new long[n], outStride = new long[n];
        for (int i = 0; i < n; i++) {
            outShape[i] = shape[perm[i]];
            outStride[i] = stride[perm[i]];
        }
        long[] idx = new long[n];
        long total = s, from = 0;
        for (long k = 0; k < total; k++) {
            copy(src, from * e, dst, k * e, e);
            for (int i = n - 1; i >= 0; i--) {           // odometer over the output, tracking the source offset
                if (++idx[i] < outShape[i]) {
                    from += outStride[i];
                    break;
                }
                from -= (outShape[i] - 1) * outStride[i];
                idx[i] = 0;
            }
        }
        return dst;
    }

    /** {@code [rows, cols]} to {@code [cols, rows]}. */
    static void transpose(MemorySegment src, int rows, int cols, int e, MemorySegment dst) {
        final int tile = 64;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int r1 = Math.min(rows, r0 + tile), c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) copy(src, ((long) r * cols + c) * e, dst, ((long) c * rows + r) * e, e);
                }
            }
        }
    }

    private static void copy(MemorySegment src, long from, MemorySegment dst, long to, int e) {
        if (e == 2) {
            dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, to, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from));
        } else {
            dst.set(ValueLayout.JAVA_INT_UNALIGNED, to, src.get(ValueLayout.JAVA_INT_UNALIGNED, from));
        }
    }

    /**
     * {@code src} of type {@code from} as type {@code to} (the same segment when they are equal): widening is exact,
     * narrowing to bfloat16 / float16 rounds to nearest even.
     */
    static MemorySegment cast(MemorySegment src, DType from, DType to, Arena arena) {
        if (from == to) return src;
        long n = src.byteSize() / from.bytes;
        MemorySegment dst = arena.allocate(n * to.bytes, 64);
        for (long i = 0; i < n; i++) {
            float f = switch (from) {
                case FLOAT32 -> src.get(ValueLayout.JAVA_FLOAT_UNALIGNED, i * 4);
                case BFLOAT16 -> Float.intBitsToFloat((src.get(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2) & 0xFFFF) << 16);
                case FLOAT16 -> Float.float16ToFloat(src.get(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2));
                default -> throw new IllegalArgumentException("cannot convert " + from.jsonName);
            };
            switch (to) {
                case FLOAT32 -> dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i * 4, f);
                case BFLOAT16 -> dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, bf16(f));
                case FLOAT16 -> dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, Float.floatToFloat16(f));
                default -> throw new IllegalArgumentException("cannot convert to " + to.jsonName);
            }
        }
        return dst;
    }

    /** float32 → bfloat16 bits, round to nearest even, NaN kept quiet. */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
