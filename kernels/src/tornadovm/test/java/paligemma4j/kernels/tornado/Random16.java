package paligemma4j.kernels.tornado;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/** Random activations and weights in every stored type for the TornadoVM-vs-naive tests. */
final class Random16 {

    /** float32 unit roundoff u = 2^-24. */
    static final double U = 0x1p-24;

    private Random16() {
    }

    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return a;
    }

    /** A {@code [rows, cols]} weight of the type, values uniform in [−1, 1), in a native segment 2 bytes off alignment. */
    static Weight weight(long seed, int rows, int cols, WeightType type) {
        float[] v = uniform(seed, rows * cols, -1f, 1f);
        long bytes = (long) rows * cols * type.bytes;
        MemorySegment seg = Arena.ofAuto().allocate(bytes + 8, 8).asSlice(2, bytes);
        for (int i = 0; i < v.length; i++) {
            switch (type) {
                case F32 -> seg.set(Weight.F32, 4L * i, v[i]);
                case BF16 -> seg.set(Weight.I16, 2L * i, (short) (Float.floatToRawIntBits(v[i]) >>> 16));
                case F16 -> seg.set(Weight.I16, 2L * i, Float.floatToFloat16(v[i]));
            }
        }
        return new Weight(seg, type, rows, cols);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
