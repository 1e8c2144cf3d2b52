package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Random inputs and weights in every stored type, for the fast-vs-naive kernel tests. */
final class TestData {

    /** float32 unit roundoff u = 2^-24: |fl(a∘b) − a∘b| ≤ u·|a∘b|. */
    static final double U = 0x1p-24;

    private TestData() {
    }

    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return a;
    }

    /**
     * A {@code [rows, cols]} weight of the given type with values uniform in [−1, 1), stored in a
     * native segment that starts 2 bytes past an 8-byte boundary (unaligned, as slices of a
     * mapped checkpoint can be).
     */
    static Weight weight(long seed, int rows, int cols, WeightType type) {
        float[] v = uniform(seed, rows * cols, -1f, 1f);
        if (type == WeightType.Q8_0) {   // quantized from the float32 values, copied to an unaligned segment
            Weight q = Q8.quantize(Weight.of(v, rows, cols), Arena.ofAuto());
            long bytes = q.data().byteSize();
            MemorySegment seg = Arena.ofAuto().allocate(bytes + 8, 8).asSlice(2, bytes);
            seg.copyFrom(q.data());
            return new Weight(seg, type, rows, cols);
        }
        long bytes = (long) rows * cols * type.bytes;
        MemorySegment seg = Arena.ofAuto().allocate(bytes + 8, 8).asSlice(2, bytes);
        for (int i = 0; i < v.length; i++) {
            switch (type) {
                case F32 -> seg.set(Weight.F32, 4L * i, v[i]);
                case BF16 -> seg.set(Weight.I16, 2L * i, toBf16(v[i]));
                case F16 -> seg.set(Weight.I16, 2L * i, Float.floatToFloat16(v[i]));
            }
        }
        return new Weight(seg, type, rows, cols);
    }

    /** All elements of {@code w} widened by the reference {@link Weight#get}, row-major. */
    static float[] widen(Weight w) {
        float[] a = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.cols(); c++) {
                a[r * w.cols() + c] = w.get(r, c);
            }
        }
        return a;
    }

    /** float32 → bfloat16 bits, round to nearest even (NaN not needed here). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
