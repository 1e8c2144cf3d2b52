package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The decoder's step after the fused QKV projection, fused 4→1: RoPE on the query heads, the query
 * scale, RoPE on the key heads and the KV-cache write. {@code qkv} rows are
 * {@code [q_0 … q_{H−1} | k_0 … k_{KVH−1} | v_0 … v_{KVH−1}]}, each {@code headDim} wide; cache rows are
 * {@code [KVH · headDim]}. Same arithmetic as {@code NaiveOps.rope} then {@code scale}.
 */
public final class CacheKernels {

    /** {@code dims} slots. */
    public static final int ROWS = 0, HEADS = 1, KV_HEADS = 2, HEAD_DIM = 3, QKV_WIDTH = 4, CACHE_AT = 5;
    /** Number of {@code dims} ints. */
    public static final int DIMS = 6;

    private CacheKernels() {
    }

    /**
     * Grid {@code ((heads + kvHeads) · headDim/2, rows)}: work-item (h·half + i, r) rotates pair i of head
     * h of row r by {@code θ = positions[r] / timescales[i]}; query heads are then multiplied by
     * {@code consts[0]} in place, key heads go rotated to cache row {@code dims[CACHE_AT] + r} together with
     * the matching value pair.
     */
    public static void ropeAndCacheWrite(KernelContext c, FloatArray qkv, FloatArray keyCache, FloatArray valueCache,
                                         IntArray positions, FloatArray timescales, IntArray dims, FloatArray consts) {
        int hi = c.globalIdx;
        int r = c.globalIdy;
        int heads = dims.get(HEADS);
        int kvHeads = dims.get(KV_HEADS);
        int headDim = dims.get(HEAD_DIM);
        int half = headDim / 2;
        if (r < dims.get(ROWS) && hi < (heads + kvHeads) * half) {
            int h = hi / half;
            int i = hi - h * half;
            int row = r * dims.get(QKV_WIDTH);
            float theta = (float) positions.get(r) / timescales.get(i);
            float cos = TornadoMath.cos(theta);
            float sin = TornadoMath.sin(theta);
            int b = row + h * headDim;
            float a = qkv.get(b + i);
            float z = qkv.get(b + i + half);
            float ra = a * cos - z * sin;
            float rz = z * cos + a * sin;
            if (h < heads) {
                float s = consts.get(0);
                qkv.set(b + i, ra * s);
                qkv.set(b + i + half, rz * s);
            } else {
                int g = h - heads;
                int dst = (dims.get(CACHE_AT) + r) * kvHeads * headDim + g * headDim;
                keyCache.set(dst + i, ra);
                keyCache.set(dst + i + half, rz);
                int vb = row + (heads + kvHeads) * headDim + g * headDim;
                valueCache.set(dst + i, qkv.get(vb + i));
                valueCache.set(dst + i + half, qkv.get(vb + i + half));
            }
        }
    }
}
