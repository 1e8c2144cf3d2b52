package paligemma4j.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * Random benchmark inputs: weights off-heap in their stored type (as a mapped checkpoint would
 * be) and float32 activations, values uniform in [-1, 1) from a fixed seed.
 */
final class RandomWeights {
    private RandomWeights() {}

    /** A {@code [rows, cols]} weight of {@code type} in {@code arena}. */
    static Weight weight(Arena arena, WeightType type, int rows, int cols, long seed) {
        if (type == WeightType.Q8_0) {   // quantized from random float32 values, as --weights q8 does at load
            try (Arena f32 = Arena.ofConfined()) {
                return Q8.quantize(weight(f32, WeightType.F32, rows, cols, seed), arena);
            }
        }
        long n = (long) rows * cols;
        MemorySegment seg = arena.allocate(n * type.bytes, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            float v = (float) (rnd.nextDouble() * 2 - 1) * 0.05f;
            switch (type) {
                case F32 -> seg.set(Weight.F32, i * 4, v);
                case BF16 -> seg.set(Weight.I16, i * 2, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> seg.set(Weight.I16, i * 2, Float.floatToFloat16(v));
                case Q8_0 -> throw new IllegalStateException("unreachable");
            }
        }
        return new Weight(seg, type, rows, cols);
    }

    /** {@code n} floats uniform in [-1, 1). */
    static float[] floats(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /**
     * "256x1152x4304" → {256, 1152, 4304}. The shape parameter is shared by name across benchmark
     * classes (JMH's {@code -p shape=...} sets it on each), so a shape of the wrong rank is refused.
     */
    static int[] dims(String shape, int rank) {
        int[] d = dims(shape);
        if (d.length != rank) {
            throw new IllegalArgumentException("shape '" + shape + "': expected " + rank + " sizes, got " + d.length);
        }
        return d;
    }

    /** N of a shape written {@code N*shape} (N weights of that shape through {@code Ops.matmuls}), else 1. */
    static int copies(String shape) {
        int star = shape.indexOf('*');
        return star < 0 ? 1 : Integer.parseInt(shape.substring(0, star));
    }

    static int[] dims(String shape) {
        shape = shape.substring(shape.indexOf('*') + 1);
        String[] parts = shape.split("x");
        int[] d = new int[parts.length];
        for (int i = 0; i < parts.length; i++) d[i] = Integer.parseInt(parts[i]);
        return d;
    }
}
