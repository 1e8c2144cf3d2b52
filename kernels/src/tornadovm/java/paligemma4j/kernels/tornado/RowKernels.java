package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Per-row reductions: the two norms (one work-item per row, sums in input order as {@code NaiveOps})
 * and argmax (one work-group, local-memory tree reduction: large {@code @Reduce} sums went
 * wrong on PoCL, docs/tornadovm.md#pitfalls-found-on-pocl-opencl-c-12-no-fp16). {@code dims = [width, rows]}; constants arrive in {@code consts}.
 */
public final class RowKernels {

    /** {@code dims} slots for the norms. */
    public static final int WIDTH = 0, ROWS = 1;
    /**
     * Work-group size of {@link #argmax}: the local arrays need a compile-time size. 128 is a power of two
     * (the tree halves it) and below every OpenCL device's practical work-group limit (PoCL: 4096, GPUs ≥ 256).
     */
    public static final int ARGMAX_GROUP = 128;

    private RowKernels() {
    }

    /**
     * Flax LayerNorm, one row per work-item: {@code μ = E[x]}, {@code var = max(0, E[x²] − μ²)},
     * {@code y = (x − μ) · (rsqrt(var + eps) · scale) + bias}; {@code consts[0] = eps}.
     */
    public static void layerNorm(KernelContext c, FloatArray x, FloatArray scale, FloatArray bias, FloatArray y,
                                 IntArray dims, FloatArray consts) {
        int r = c.globalIdx;
        int width = dims.get(WIDTH);
        if (r < dims.get(ROWS)) {
            int base = r * width;
            float sum = 0f;
            float sumSq = 0f;
            for (int i = 0; i < width; i++) {
                float v = x.get(base + i);
                sum += v;
                sumSq += v * v;
            }
            float mean = sum / width;
            float var = TornadoMath.max(0f, sumSq / width - mean * mean);
            float inv = 1f / TornadoMath.sqrt(var + consts.get(0));
            for (int i = 0; i < width; i++) {
                y.set(base + i, (x.get(base + i) - mean) * (inv * scale.get(i)) + bias.get(i));
            }
        }
    }

    /** Gemma RMSNorm, one row per work-item: {@code y = x · (1/sqrt(mean(x²) + eps)) · (1 + scale)}; {@code consts[0] = eps}. */
    public static void rmsNorm(KernelContext c, FloatArray x, FloatArray scale, FloatArray y, IntArray dims,
                               FloatArray consts) {
        int r = c.globalIdx;
        int width = dims.get(WIDTH);
        if (r < dims.get(ROWS)) {
            int base = r * width;
            float sumSq = 0f;
            for (int i = 0; i < width; i++) {
                float v = x.get(base + i);
                sumSq += v * v;
            }
            float inv = 1f / TornadoMath.sqrt(sumSq / width + consts.get(0));
            for (int i = 0; i < width; i++) {
                y.set(base + i, (x.get(base + i) * inv) * (1f + scale.get(i)));
            }
        }
    }

    /**
     * Gemma 2's post norm added to the residual, one row per work-item:
     * {@code x += y · (1/sqrt(mean(y²) + eps)) · (1 + scale)}; {@code consts[0] = eps}.
     */
    public static void rmsNormAdd(KernelContext c, FloatArray y, FloatArray scale, FloatArray x, IntArray dims,
                                  FloatArray consts) {
        int r = c.globalIdx;
        int width = dims.get(WIDTH);
        if (r < dims.get(ROWS)) {
            int base = r * width;
            float sumSq = 0f;
            for (int i = 0; i < width; i++) {
                float v = y.get(base + i);
                sumSq += v * v;
            }
            float inv = 1f / TornadoMath.sqrt(sumSq / width + consts.get(0));
            for (int i = 0; i < width; i++) {
                x.set(base + i, x.get(base + i) + (y.get(base + i) * inv) * (1f + scale.get(i)));
            }
        }
    }

    /**
     * Index of the largest of {@code x[0 .. n)}, {@code n = dims[0]}, ties → lowest index, into
     * {@code result[0]}. Launch exactly one work-group of {@link #ARGMAX_GROUP}. Each work-item scans a
     * stride (strict {@code >}, so its earliest maximum), then a tree keeps the larger value or, on a tie,
     * the lower index. Idle work-items start from element 0, which never changes the answer.
     */
    public static void argmax(KernelContext c, FloatArray x, IntArray dims, IntArray result) {
        int t = c.localIdx;
        int n = dims.get(0);
        float[] values = c.allocateFloatLocalArray(ARGMAX_GROUP);
        int[] indices = c.allocateIntLocalArray(ARGMAX_GROUP);
        int best = t < n ? t : 0;
        float bestValue = x.get(best);
        for (int i = t + ARGMAX_GROUP; i < n; i += ARGMAX_GROUP) {
            float v = x.get(i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        values[t] = bestValue;
        indices[t] = best;
        c.localBarrier();
        for (int stride = ARGMAX_GROUP / 2; stride > 0; stride /= 2) {
            if (t < stride) {
                float other = values[t + stride];
                int otherIndex = indices[t + stride];
                if (other > values[t] || (other == values[t] && otherIndex < indices[t])) {
                    values[t] = other;
                    indices[t] = otherIndex;
                }
            }
            c.localBarrier();
        }
        if (t == 0) {
            result.set(0, indices[0]);
        }
    }
}
