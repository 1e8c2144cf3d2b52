package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Reductions over a float range. */
final class ReduceKernels {

    private ReduceKernels() {
    }

    /**
     * Index (relative to {@code off}) of the largest of {@code x[off .. off+n)}, ties → lowest
     * index: a vector max, then the first position holding it. NaNs are skipped as a strict
     * {@code >} scan skips them (that scalar scan is the fallback when the max is NaN).
     */
    static int argmax(float[] x, int off, int n) {
        int nv = n - n % L;
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < nv; i += L) {
            m = m.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (int i = nv; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        if (!Float.isNaN(max)) {
            for (int i = 0; i < n; i++) {
                if (x[off + i] == max) {
                    return i;
                }
            }
        }
        return scan(x, off, n);
    }

    /** The reference strict-{@code >} scan. */
    static int scan(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
