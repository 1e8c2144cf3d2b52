package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/** Element-wise kernels over index ranges {@code [from, to)}: tanh GELU, GeGLU, residual add, scaling. */
final class ActivationKernels {

    private ActivationKernels() {
    }

    /** {@code x[i] = x · 0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (JAX's order of operations). */
    static void gelu(float[] x, int from, int to) {
        int i = from;
        for (int end = from + (to - from) / L * L; i < end; i += L) {
            geluVector(FloatVector.fromArray(F, x, i)).intoArray(x, i);
        }
        for (; i < to; i++) {
            x[i] = NaiveOps.geluTanh(x[i]);
        }
    }

    /** {@code gate[i] = gelu(gate[i]) · up[i]}. */
    static void geluGate(float[] gate, float[] up, int from, int to) {
        int i = from;
        for (int end = from + (to - from) / L * L; i < end; i += L) {
            geluVector(FloatVector.fromArray(F, gate, i)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (; i < to; i++) {
            gate[i] = NaiveOps.geluTanh(gate[i]) * up[i];
        }
    }

    /**
     * Vector form of the same function: {@code 0.5·(1 + tanh(u)) = 1 / (1 + e^(−2u))}, so
     * {@code gelu = x / (1 + e^(−2u))} with {@link Simd#exp} (no tanh, no cancellation for u < 0).
     */
    private static FloatVector geluVector(FloatVector x) {
        FloatVector cube = x.mul(x).mul(x);
        FloatVector u = cube.mul(NaiveOps.GELU_CUBIC).add(x).mul(NaiveOps.SQRT_2_OVER_PI);
        return x.div(Simd.exp(u.mul(-2f)).add(1f));
    }

    /** {@code x[i] += y[i]}. */
    static void add(float[] x, float[] y, int from, int to) {
        int i = from;
        for (int end = from + (to - from) / L * L; i < end; i += L) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
        }
        for (; i < to; i++) {
            x[i] += y[i];
        }
    }

    /** {@code x[i] *= s}. */
    static void scale(float[] x, int from, int to, float s) {
        int i = from;
        for (int end = from + (to - from) / L * L; i < end; i += L) {
            FloatVector.fromArray(F, x, i).mul(s).intoArray(x, i);
        }
        for (; i < to; i++) {
            x[i] *= s;
        }
    }
}
