package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/** Element-wise kernels over index ranges {@code [from, to)}: tanh GELU, GeGLU, residual add, scaling. */
final class ActivationKernels {

    private ActivationKernels() {
    }

    /** Elements per pass of {@link #gelu} and {@link #geluGate}: the scratch they need. */
    static final int CHUNK = 256;

    /**
     * {@code x[i] = x · 0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (JAX's order of operations); {@code t} is
     * scratch of {@link #CHUNK} floats. Whole vectors use {@code 0.5·(1 + tanh(u)) = 1 / (1 + e^(−2u))}, so
     * {@code gelu = x / (1 + e^(−2u))} with {@link Simd#exp} (no tanh, no cancellation for u < 0), a chunk
     * at a time through {@code t}; the tail is {@link NaiveOps#geluTanh}.
     */
    static void gelu(float[] x, int from, int to, float[] t) {
        geluGate(x, null, from, to, t);
    }

    /** {@code gate[i] = gelu(gate[i]) · up[i]} ({@code up} null: {@link #gelu}), as {@link #gelu}. */
    static void geluGate(float[] gate, float[] up, int from, int to, float[] t) {
        int end = from + (to - from) / L * L;
        for (int c = from; c < end; c += CHUNK) {
            int ce = Math.min(end, c + CHUNK);
            expMinusTwoU(gate, c, ce, t);
            for (int i = c; i < ce; i += L) {
                FloatVector g = FloatVector.fromArray(F, gate, i).div(FloatVector.fromArray(F, t, i - c).add(1f));
                (up == null ? g : g.mul(FloatVector.fromArray(F, up, i))).intoArray(gate, i);
            }
        }
        for (int i = end; i < to; i++) {
            gate[i] = up == null ? NaiveOps.geluTanh(gate[i]) : NaiveOps.geluTanh(gate[i]) * up[i];
        }
    }

    /** {@code t[i − from] = e^(−2u(x[i]))}, {@code u = √(2/π)·(x + 0.044715·x³)}, for whole vectors in [from, to). */
    private static void expMinusTwoU(float[] x, int from, int to, float[] t) {
        for (int i = from; i < to; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            FloatVector cube = xv.mul(xv).mul(xv);
            cube.mul(NaiveOps.GELU_CUBIC).add(xv).mul(NaiveOps.SQRT_2_OVER_PI).mul(-2f).intoArray(t, i - from);
        }
        Simd.exp(t, 0, to - from, 0f, Float.NEGATIVE_INFINITY);
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
