package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Multi-head attention with a per-row visible key count (the prefix-LM mask) and grouped K/V heads
 * (multi-query when {@code kvHeads = 1}). One work-item per (head, query row); probabilities go to a
 * global scratch row of {@code kvCapacity} floats per (row, head), because a private array would need a
 * compile-time length.
 */
public final class AttentionKernels {

    /** {@code dims} slots. */
    public static final int Q_STRIDE = 0, ROWS = 1, HEADS = 2, HEAD_DIM = 3, KV_STRIDE = 4, KV_HEADS = 5,
            KV_CAPACITY = 6, OUT_STRIDE = 7;
    /** Number of {@code dims} ints. */
    public static final int DIMS = 8;

    private AttentionKernels() {
    }

    /**
     * Grid {@code (heads, rows)}: {@code out[r, h] = softmax((q[r, h] / qDivisor) · K[0..visible[r])ᵀ) · V},
     * K/V head {@code h / (heads / kvHeads)}, max-subtracted softmax in float32; {@code consts[0] = qDivisor}.
     */
    public static void attention(KernelContext c, FloatArray q, FloatArray k, FloatArray v, IntArray visible,
                                 FloatArray scratch, FloatArray out, IntArray dims, FloatArray consts) {
        int h = c.globalIdx;
        int r = c.globalIdy;
        int heads = dims.get(HEADS);
        if (h < heads && r < dims.get(ROWS)) {
            int headDim = dims.get(HEAD_DIM);
            int kvStride = dims.get(KV_STRIDE);
            int kvOff = (h / (heads / dims.get(KV_HEADS))) * headDim;
            int qb = r * dims.get(Q_STRIDE) + h * headDim;
            int pb = (r * heads + h) * dims.get(KV_CAPACITY);
            float qDivisor = consts.get(0);
            int n = visible.get(r);
            for (int j = 0; j < n; j++) {
                float logit = 0f;
                int kb = j * kvStride + kvOff;
                for (int d = 0; d < headDim; d++) {
                    logit += (q.get(qb + d) / qDivisor) * k.get(kb + d);
                }
                scratch.set(pb + j, logit);
            }
            float max = n > 0 ? scratch.get(pb) : 0f;
            for (int j = 1; j < n; j++) {
                max = TornadoMath.max(max, scratch.get(pb + j));
            }
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float p = TornadoMath.exp(scratch.get(pb + j) - max);
                scratch.set(pb + j, p);
                sum += p;
            }
            for (int j = 0; j < n; j++) {
                scratch.set(pb + j, scratch.get(pb + j) / sum);
            }
            int ob = r * dims.get(OUT_STRIDE) + h * headDim;
            for (int d = 0; d < headDim; d++) {
                float acc = 0f;
                for (int j = 0; j < n; j++) {
                    acc += scratch.get(pb + j) * v.get(j * kvStride + kvOff + d);
                }
                out.set(ob + d, acc);
            }
        }
    }
}
