package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Element-wise kernels (one work-item per element, {@code n = dims[0]}) and RoPE. The GELU constants
 * ({@code consts = [√(2/π), 0.044715]}) and the RoPE timescales come from the reference
 * implementation on the host, so each constant has one definition.
 */
public final class PointwiseKernels {

    /** {@code dims} slots of {@link #rope}. */
    public static final int ROPE_ROWS = 0, ROPE_ROW_STRIDE = 1, ROPE_HEADS = 2, ROPE_HEAD_DIM = 3;

    private PointwiseKernels() {
    }

    /** {@code x · 0.5 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))} in JAX's order. */
    public static float geluTanh(float x, float sqrt2OverPi, float cubic) {
        float cdf = 0.5f * (1f + TornadoMath.tanh(sqrt2OverPi * (x + cubic * (x * x * x))));
        return x * cdf;
    }

    /**
     * In place, when {@code dims[1] != 0}: {@code x[i] = c·tanh(x[i]·(1/c))} for i < {@code dims[0]}, {@code c = consts[0]}
     * (Gemma 2's final-logit soft-cap, applied to decode steps only).
     */
    public static void softCap(KernelContext c, FloatArray x, IntArray dims, FloatArray consts) {
        int i = c.globalIdx;
        if (i < dims.get(0) && dims.get(1) != 0) {
            float cap = consts.get(0);
            x.set(i, TornadoMath.tanh(x.get(i) * (1f / cap)) * cap);
        }
    }

    /** In place: {@code x[i] = gelu_tanh(x[i])}. */
    public static void gelu(KernelContext c, FloatArray x, IntArray dims, FloatArray consts) {
        int i = c.globalIdx;
        if (i < dims.get(0)) {
            x.set(i, geluTanh(x.get(i), consts.get(0), consts.get(1)));
        }
    }

    /** In place: {@code gate[i] = gelu_tanh(gate[i]) · up[i]} (GeGLU). */
    public static void geluGate(KernelContext c, FloatArray gate, FloatArray up, IntArray dims, FloatArray consts) {
        int i = c.globalIdx;
        if (i < dims.get(0)) {
            gate.set(i, geluTanh(gate.get(i), consts.get(0), consts.get(1)) * up.get(i));
        }
    }

    /** In place: {@code x[i] += y[i]}. */
    public static void add(KernelContext c, FloatArray x, FloatArray y, IntArray dims) {
        int i = c.globalIdx;
        if (i < dims.get(0)) {
            x.set(i, x.get(i) + y.get(i));
        }
    }

    /** In place: {@code x[i] *= consts[0]}. */
    public static void scale(KernelContext c, FloatArray x, IntArray dims, FloatArray consts) {
        int i = c.globalIdx;
        if (i < dims.get(0)) {
            x.set(i, x.get(i) * consts.get(0));
        }
    }

    /**
     * Split-halves RoPE in place; grid {@code (heads · headDim/2, rows)}. Work-item (h·half + i, r) rotates
     * the pair {@code (x[b + i], x[b + i + half])}, {@code b = r·rowStride + h·headDim}, by
     * {@code θ = positions[r] · timescales[i]} with timescales = 1/τ (XLA's pos·(1/τ), see Ops.rope) in float32.
     */
    public static void rope(KernelContext c, FloatArray x, IntArray positions, FloatArray timescales, IntArray dims) {
        int hi = c.globalIdx;
        int r = c.globalIdy;
        int headDim = dims.get(ROPE_HEAD_DIM);
        int half = headDim / 2;
        if (r < dims.get(ROPE_ROWS) && hi < dims.get(ROPE_HEADS) * half) {
            int h = hi / half;
            int i = hi - h * half;
            int b = r * dims.get(ROPE_ROW_STRIDE) + h * headDim;
            float theta = (float) positions.get(r) * timescales.get(i);   // timescales hold 1/τ (as XLA computes pos/τ)
            float cos = TornadoMath.cos(theta);
            float sin = TornadoMath.sin(theta);
            float a = x.get(b + i);
            float z = x.get(b + i + half);
            x.set(b + i, a * cos - z * sin);
            x.set(b + i + half, z * cos + a * sin);
        }
    }
}
