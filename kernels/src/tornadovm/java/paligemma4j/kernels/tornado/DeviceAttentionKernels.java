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
public final class DeviceAttentionKernels {

    /** {@code dims} slots. */
    public static final int Q_STRIDE = 0, ROWS = 1, HEADS = 2, HEAD_DIM = 3, KV_STRIDE = 4, KV_HEADS = 5,
            KV_CAPACITY = 6, OUT_STRIDE = 7, K_OFFSET = 8, V_OFFSET = 9;
    /** Number of {@code dims} ints. */
    public static final int DIMS = 10;

    private DeviceAttentionKernels() {
    }

    /**
     * Grid {@code (heads, rows)}: {@code out[r, h] = softmax((q[r, h] / qDivisor) · K[0..visible[r])ᵀ) · V},
     * K/V head {@code h / (heads / kvHeads)}, max-subtracted softmax in float32; {@code consts[0] = qDivisor},
     * {@code consts[1]} = Gemma 2's logit soft-cap c (logits → c·tanh(logits·(1/c)) before the softmax; 0 = off).
     */
    public static void attention(KernelContext c, FloatArray q, FloatArray k, FloatArray v, IntArray visible,
                                 FloatArray scratch, FloatArray out, IntArray dims, FloatArray consts) {
        attend(c.globalIdx, c.globalIdy, q, 0, k, 0, v, 0, visible, scratch, out, dims, consts.get(0), consts.get(1));
    }

    /**
     * {@link #attention} over one packed {@code qkv} buffer (the fused QKV projection's output): q, k and v
     * of row r start at {@code r·stride + 0, + kOffset, + vOffset} with {@code stride = dims[Q_STRIDE] =
     * dims[KV_STRIDE]}, {@code kOffset = dims[K_OFFSET]}, {@code vOffset = dims[V_OFFSET]}.
     */
    public static void attentionPacked(KernelContext c, FloatArray qkv, IntArray visible, FloatArray scratch,
                                       FloatArray out, IntArray dims, FloatArray consts) {
        attend(c.globalIdx, c.globalIdy, qkv, 0, qkv, dims.get(K_OFFSET), qkv, dims.get(V_OFFSET), visible, scratch,
                out, dims, consts.get(0), 0f);
    }

    private static void attend(int h, int r, FloatArray q, int qOff, FloatArray k, int kOff, FloatArray v, int vOff,
                               IntArray visible, FloatArray scratch, FloatArray out, IntArray dims, float qDivisor,
                               float softCap) {
        int heads = dims.get(HEADS);
        if (h < heads && r < dims.get(ROWS)) {
            int headDim = dims.get(HEAD_DIM);
            int kvStride = dims.get(KV_STRIDE);
            int kvOff = (h / (heads / dims.get(KV_HEADS))) * headDim;
            int qb = qOff + r * dims.get(Q_STRIDE) + h * headDim;
            int pb = (r * heads + h) * dims.get(KV_CAPACITY);
            int n = visible.get(r);
            for (int j = 0; j < n; j++) {
                float logit = 0f;
                int kb = kOff + j * kvStride + kvOff;
                for (int d = 0; d < headDim; d++) {
                    logit += (q.get(qb + d) / qDivisor) * k.get(kb + d);
                }
                if (softCap > 0f) {
                    logit = TornadoMath.tanh(logit * (1f / softCap)) * softCap;
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
                    acc += scratch.get(pb + j) * v.get(vOff + j * kvStride + kvOff + d);
                }
                out.set(ob + d, acc);
            }
        }
    }
}
