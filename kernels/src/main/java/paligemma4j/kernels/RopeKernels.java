package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * Split-halves rotary embedding. The angles are precomputed per position into cos/sin tables
 * ({@link #table}) exactly as the reference computes them, so the rotation itself is exact
 * float32 arithmetic: {@code (a, b) → (a·cos − b·sin, b·cos + a·sin)}.
 */
final class RopeKernels {

    private RopeKernels() {
    }

    /**
     * Fills {@code cos[p·half + i]} and {@code sin[p·half + i]} for positions p in [0, positions),
     * i < half: {@code θ = (float) p / τ_i} in float32 with {@code τ_i = base^(2i/headDim)} computed
     * in double and rounded to float, then cos/sin rounded to float.
     */
    static void table(float base, int headDim, int positions, float[] cos, float[] sin) {
        int half = headDim / 2;
        float[] timescale = new float[half];
        for (int i = 0; i < half; i++) {
            timescale[i] = NaiveOps.ropeTimescale(base, i, headDim);
        }
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float theta = (float) p * (1f / timescale[i]);
                cos[p * half + i] = (float) Math.cos(theta);
                sin[p * half + i] = (float) Math.sin(theta);
            }
        }
    }

    /** Rotates the head vector at {@code x[off .. off + 2·half)} by the angles at {@code cos/sin[t .. t + half)}. */
    static void rotate(float[] x, int off, int half, float[] cos, float[] sin, int t) {
        int hv = half - half % L;
        for (int i = 0; i < hv; i += L) {
            FloatVector a = FloatVector.fromArray(F, x, off + i);
            FloatVector b = FloatVector.fromArray(F, x, off + half + i);
            FloatVector c = FloatVector.fromArray(F, cos, t + i);
            FloatVector s = FloatVector.fromArray(F, sin, t + i);
            a.mul(c).sub(b.mul(s)).intoArray(x, off + i);
            b.mul(c).add(a.mul(s)).intoArray(x, off + half + i);
        }
        for (int i = hv; i < half; i++) {
            float a = x[off + i], b = x[off + half + i], c = cos[t + i], s = sin[t + i];
            x[off + i] = a * c - b * s;
            x[off + half + i] = b * c + a * s;
        }
    }
}
