package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The decoder's step after the fused QKV projection, fused 4→1: RoPE on the query heads, the query
 * scale, RoPE on the key heads and the KV-cache write. {@code qkv} rows are
 * {@code [q_0 … q_{H−1} | k_0 … k_{KVH−1} | v_0 … v_{KVH−1}]}, each {@code headDim} wide; cache rows are
 * {@code [KVH · headDim]}. Same arithmetic as {@code NaiveOps.rope} then {@code scale}; with
 * {@code dims[ROUND_BF16] = 1} the cached keys and values are rounded to bfloat16 (the model's
 * {@code KVCache.Precision.BF16}).
 *
 * <p>Device kernels: TornadoVM passes only arrays and primitives to a kernel, so sizes and offsets are plain
 * parameters or entries of a small int array.
 */
public final class CacheKernels {

    /** {@code dims} slots; {@code ROUND_BF16 = 1} rounds cached keys and values to bfloat16 (slot 5 is unused). */
    public static final int ROWS = 0, HEADS = 1, KV_HEADS = 2, HEAD_DIM = 3, QKV_WIDTH = 4, ROUND_BF16 = 6;
    /** Number of {@code dims} ints. */
    public static final int DIMS = 7;

    private CacheKernels() {
    }

    /** {@code 2^(e − 127)} for e in [0, 255] (e = 255: +∞): the table {@link #roundToBf16} searches. */
    public static FloatArray powersOfTwo() {
        FloatArray t = new FloatArray(256);
        for (int e = 0; e < 256; e++) t.set(e, e == 255 ? Float.POSITIVE_INFINITY : Math.scalb(1f, e - 127));
        return t;
    }

    /** {@code y} rounded to an integer, ties to even ({@code y ≥ 0}; OpenCL's rint is not reachable from Java). */
    private static float rintNonNegative(float y) {
        float f = TornadoMath.floor(y);
        float d = y - f;
        float r = f;
        if (d > 0.5f) {
            r = f + 1f;
        } else if (d == 0.5f) {
            float half = f * 0.5f;
            if (half != TornadoMath.floor(half)) {
                r = f + 1f;
            }
        }
        return r;
    }

    /**
     * {@code x} rounded to bfloat16 (round to nearest, ties to even) and widened back, as big_vision's
     * bf16 KV cache stores it, without bit casts (the OpenCL backend has none): the binade
     * {@code 2^e ≤ |x| < 2^(e+1)} by binary search in {@code pow2} ({@link #powersOfTwo}), then
     * {@code rint(|x| / 2^(e−7)) · 2^(e−7)}, all exact; subnormals at the fixed spacing 2^−133 (exact
     * unless the device flushes subnormals). ±∞ stay; NaN is not expected in a cache.
     */
    public static float roundToBf16(float x, FloatArray pow2) {
        float a = TornadoMath.abs(x);
        float r = a;
        if (a >= pow2.get(1) && a < pow2.get(255)) {
            int lo = 1;
            int hi = 254;
            for (int step = 0; step < 8; step++) {
                int mid = (lo + hi + 1) / 2;
                if (pow2.get(mid) <= a) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            float ulp = pow2.get(lo) * 0.0078125f;   // 2^(e − 7): exact, subnormal for the lowest binades
            r = rintNonNegative(a / ulp) * ulp;
        } else if (a < pow2.get(1)) {
            // subnormal: count steps of 2^-133 = 2^-64 · 2^-69 (two exact scalings)
            float y = (a * pow2.get(127 + 64)) * pow2.get(127 + 69);
            r = (rintNonNegative(y) * pow2.get(127 - 69)) * pow2.get(127 - 64);
        }
        return x < 0f ? -r : r;
    }

    /** Test hook: {@code y[i] = roundToBf16(x[i])}, one work-item per element, {@code n = dims[0]}. */
    public static void roundBf16(KernelContext c, FloatArray x, FloatArray pow2, FloatArray y, IntArray dims) {
        int i = c.globalIdx;
        if (i < dims.get(0)) {
            y.set(i, roundToBf16(x.get(i), pow2));
        }
    }

    /**
     * Grid {@code ((heads + kvHeads) · headDim/2, rows)}: work-item (h·half + i, r) rotates pair i of head
     * h of row r by {@code θ = positions[r] · timescales[i]} with timescales = 1/τ (XLA's pos·(1/τ), see Ops.rope); query heads are then multiplied by
     * {@code consts[0]} in place, key heads go rotated to cache row {@code cacheRows[r]} together with the matching
     * value pair (the decoder's beams keep one cache region per hypothesis, so a step's rows land in different regions).
     */
    public static void ropeAndCacheWrite(KernelContext c, FloatArray qkv, FloatArray keyCache, FloatArray valueCache,
                                         IntArray positions, IntArray cacheRows, FloatArray timescales, IntArray dims,
                                         FloatArray consts, FloatArray pow2) {
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
            float theta = (float) positions.get(r) * timescales.get(i);   // timescales hold 1/τ (as XLA computes pos/τ)
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
                int dst = cacheRows.get(r) * kvHeads * headDim + g * headDim;
                int vb = row + (heads + kvHeads) * headDim + g * headDim;
                float va = qkv.get(vb + i);
                float vz = qkv.get(vb + i + half);
                if (dims.get(ROUND_BF16) == 1) {
                    ra = roundToBf16(ra, pow2);
                    rz = roundToBf16(rz, pow2);
                    va = roundToBf16(va, pow2);
                    vz = roundToBf16(vz, pow2);
                }
                keyCache.set(dst + i, ra);
                keyCache.set(dst + i + half, rz);
                valueCache.set(dst + i, va);
                valueCache.set(dst + i + half, vz);
            }
        }
    }

    /** {@code dims} slots of {@link #gatherSlots} / {@link #scatterSlots}. */
    public static final int SLOT_COUNT = 0, SLOT_ROWS = 1, SLOT_WIDTH = 2, SLOT_CAPACITY = 3;

    /**
     * First half of a beam step's cache reorder, one work-item per (slot, value): slot b's rows [0, SLOT_ROWS) of
     * {@code cache} (regions of SLOT_CAPACITY rows of SLOT_WIDTH floats) go to the same place in {@code scratch} when
     * it continues another hypothesis ({@code parents[b] ≠ b}), read from slot {@code parents[b]}.
     */
    public static void gatherSlots(KernelContext c, FloatArray cache, FloatArray scratch, IntArray parents, IntArray dims) {
        int i = c.globalIdx;
        int region = dims.get(SLOT_CAPACITY) * dims.get(SLOT_WIDTH);
        int b = i / region;
        int within = i - b * region;
        if (b < dims.get(SLOT_COUNT) && within < dims.get(SLOT_ROWS) * dims.get(SLOT_WIDTH)) {
            int from = parents.get(b);
            if (from != b) {
                scratch.set(i, cache.get(from * region + within));
            }
        }
    }

    /** Second half of the reorder: the gathered slots back into {@code cache} (a separate launch, so no slot is read after it is overwritten). */
    public static void scatterSlots(KernelContext c, FloatArray cache, FloatArray scratch, IntArray parents, IntArray dims) {
        int i = c.globalIdx;
        int region = dims.get(SLOT_CAPACITY) * dims.get(SLOT_WIDTH);
        int b = i / region;
        int within = i - b * region;
        if (b < dims.get(SLOT_COUNT) && within < dims.get(SLOT_ROWS) * dims.get(SLOT_WIDTH) && parents.get(b) != b) {
            cache.set(i, scratch.get(i));
        }
    }
}
