package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Per-row normalisations, vectorised over the width; float32 throughout. */
final class NormKernels {

    private NormKernels() {
    }

    /**
     * Flax LayerNorm of one row: {@code μ = E[x]}, {@code var = max(0, E[x²] − μ²)},
     * {@code y = (x − μ) · (rsqrt(var + eps) · scale) + bias}.
     */
    static void layerNormRow(float[] x, int xOff, int width, float[] scale, float[] bias, float eps,
                             float[] y, int yOff) {
        int wv = width - width % L;
        FloatVector s = FloatVector.zero(F), sq = FloatVector.zero(F);
        for (int i = 0; i < wv; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            s = s.add(v);
            sq = v.fma(v, sq);
        }
        float sum = Simd.sumLanes(s), sumSq = Simd.sumLanes(sq);
        for (int i = wv; i < width; i++) {
            float v = x[xOff + i];
            sum += v;
            sumSq = Math.fma(v, v, sumSq);
        }
        float mean = sum / width;
        float var = Math.max(0f, sumSq / width - mean * mean);
        float inv = (float) (1.0 / Math.sqrt(var + eps));
        for (int i = 0; i < wv; i += L) {
            FloatVector mul = FloatVector.fromArray(F, scale, i).mul(inv);
            FloatVector.fromArray(F, x, xOff + i).sub(mean).mul(mul).add(FloatVector.fromArray(F, bias, i))
                    .intoArray(y, yOff + i);
        }
        for (int i = wv; i < width; i++) {
            y[yOff + i] = (x[xOff + i] - mean) * (inv * scale[i]) + bias[i];
        }
    }

    /** Gemma RMSNorm of one row: {@code y = (x · (1 / sqrt(mean(x²) + eps))) · (1 + scale)}. */
    static void rmsNormRow(float[] x, int xOff, int width, float[] scale, float eps, float[] y, int yOff) {
        int wv = width - width % L;
        FloatVector sq = FloatVector.zero(F);
        for (int i = 0; i < wv; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            sq = v.fma(v, sq);
        }
        float sumSq = Simd.sumLanes(sq);
        for (int i = wv; i < width; i++) {
            sumSq = Math.fma(x[xOff + i], x[xOff + i], sumSq);
        }
        float inv = 1f / (float) Math.sqrt(sumSq / width + eps);
        for (int i = 0; i < wv; i += L) {
            FloatVector one = FloatVector.fromArray(F, scale, i).add(1f);
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(one).intoArray(y, yOff + i);
        }
        for (int i = wv; i < width; i++) {
            y[yOff + i] = (x[xOff + i] * inv) * (1f + scale[i]);
        }
    }
}
