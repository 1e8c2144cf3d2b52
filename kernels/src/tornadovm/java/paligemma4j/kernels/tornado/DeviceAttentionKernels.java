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
        int r = c.globalIdy;
        int n = 0;
        if (r < dims.get(ROWS)) {
            n = visible.get(r);
        }
        attend(c.globalIdx, r, q, 0, k, 0, v, 0, 0, n, scratch, out, dims, consts.get(0), consts.get(1));
    }

    /**
     * {@link #attention} over a window of keys per row: row r reads keys {@code [first[r], visible[r])} of the cache
     * region starting at key row {@code base[r]} (its hypothesis's cache when the decoder runs beams). A sliding-window
     * layer passes {@code first[r] = max(0, position − window + 1)}, every other layer zeros.
     */
    public static void attentionWindowed(KernelContext c, FloatArray q, FloatArray k, FloatArray v, IntArray first,
                                         IntArray visible, IntArray base, FloatArray scratch, FloatArray out,
                                         IntArray dims, FloatArray consts) {
        int r = c.globalIdy;
        int from = 0;
        int to = 0;
        int kvBase = 0;
        if (r < dims.get(ROWS)) {
            from = first.get(r);
            to = visible.get(r);
            kvBase = base.get(r) * dims.get(KV_STRIDE);
        }
        attend(c.globalIdx, r, q, 0, k, kvBase, v, kvBase, from, to, scratch, out, dims, consts.get(0), consts.get(1));
    }

    /**
     * {@link #attention} over one packed {@code qkv} buffer (the fused QKV projection's output): q, k and v
     * of row r start at {@code r·stride + 0, + kOffset, + vOffset} with {@code stride = dims[Q_STRIDE] =
     * dims[KV_STRIDE]}, {@code kOffset = dims[K_OFFSET]}, {@code vOffset = dims[V_OFFSET]}.
     */
    public static void attentionPacked(KernelContext c, FloatArray qkv, IntArray visible, FloatArray scratch,
                                       FloatArray out, IntArray dims, FloatArray consts) {
        int r = c.globalIdy;
        int n = 0;
        if (r < dims.get(ROWS)) {
            n = visible.get(r);
        }
        attend(c.globalIdx, r, qkv, 0, qkv, dims.get(K_OFFSET), qkv, dims.get(V_OFFSET), 0, n, scratch, out, dims,
                consts.get(0), 0f);
    }

    /** Row r, head h over keys {@code [from, to)}; their probabilities sit at the start of the (r, h) scratch row. */
    private static void attend(int h, int r, FloatArray q, int qOff, FloatArray k, int kOff, FloatArray v, int vOff,
                               int from, int to, FloatArray scratch, FloatArray out, IntArray dims, float qDivisor,
                               float softCap) {
        int heads = dims.get(HEADS);
        if (h < heads && r < dims.get(ROWS)) {
            int headDim = dims.get(HEAD_DIM);
            int kvStride = dims.get(KV_STRIDE);
            int kvOff = (h / (heads / dims.get(KV_HEADS))) * headDim;
            int qb = qOff + r * dims.get(Q_STRIDE) + h * headDim;
            int pb = (r * heads + h) * dims.get(KV_CAPACITY);
            int n = to - from;
            int kOff0 = kOff + from * kvStride;
            int vOff0 = vOff + from * kvStride;
            for (int j = 0; j < n; j++) {
                float logit = 0f;
                int kb = kOff0 + j * kvStride + kvOff;
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
                    acc += scratch.get(pb + j) * v.get(vOff0 + j * kvStride + kvOff + d);
                }
                out.set(ob + d, acc);
            }
        }
    }
}
