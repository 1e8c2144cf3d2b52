package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Products with a transposed weight ({@code [out, in]}: the tied unembedding) kept on the device in
 * its stored type: one work-item per output element (grid {@code (out, rows)}), float32 accumulation
 * in input order (the order of {@code NaiveOps}), or, for one row, a work-group per output with a
 * local reduction. (Input-first weights go through {@link TiledMatmulKernels}.) Sizes arrive in {@code dims} because one compiled plan serves every call with a
 * different row count; the slots are the constants below.
 *
 * <p>16-bit weights stay 16-bit: {@code format = [mantissaBits, exponentMask]}, {@code table} and
 * {@code mantissaScale = consts[0]} drive {@link HalfDecode#decode}.
 */
public final class LinearKernels {

    /** {@code dims} slots: input width, output width, rows; the transposed kernels also read x from row X_ROW. */
    public static final int IN = 0, OUT = 1, ROWS = 2, X_ROW = 3;
    /** Number of {@code dims} ints. */
    public static final int DIMS = 4;

    /**
     * Work-group size of the reduced transposed kernels: one group per output, lanes stride the input.
     * A power of two (tree) ≤ 256 (every OpenCL GPU and PoCL accept it); the local array needs it at compile time.
     */
    public static final int REDUCE_GROUP = 128;

    private LinearKernels() {
    }

    /**
     * One row, one work-group of {@link #REDUCE_GROUP} per output o: {@code y[o] = Σ_i x[X_ROW, i] · w[o, i]}
     * with lane j summing i ≡ j (mod group), then a local tree. For the 1-row unembedding, whose
     * {@code [vocab, width]} rows are then read contiguously by each group. Launch {@code out · REDUCE_GROUP}; a
     * second grid axis of n groups runs rows X_ROW … X_ROW + n − 1 into {@code y[j·out + o]} (the beams' logits).
     */
    public static void matmulTransposedReducedF32(KernelContext c, FloatArray x, FloatArray w, FloatArray y,
                                                  IntArray dims) {
        int lane = c.localIdx;
        int o = c.groupIdx;
        int in = dims.get(IN);
        float[] parts = c.allocateFloatLocalArray(REDUCE_GROUP);
        float part = 0f;
        if (o < dims.get(OUT)) {
            int xb = (dims.get(X_ROW) + c.groupIdy) * in;
            int wb = o * in;
            for (int i = lane; i < in; i += REDUCE_GROUP) {
                part += x.get(xb + i) * w.get(wb + i);
            }
        }
        parts[lane] = part;
        c.localBarrier();
        for (int stride = REDUCE_GROUP / 2; stride > 0; stride /= 2) {
            if (lane < stride) {
                parts[lane] = parts[lane] + parts[lane + stride];
            }
            c.localBarrier();
        }
        if (lane == 0 && o < dims.get(OUT)) {
            y.set(c.groupIdy * dims.get(OUT) + o, parts[0]);
        }
    }

    /** {@link #matmulTransposedReducedF32} with a 16-bit weight decoded in the loop. */
    public static void matmulTransposedReducedHalf(KernelContext c, FloatArray x, ShortArray w, FloatArray y,
                                                   IntArray dims, IntArray format, FloatArray table, FloatArray consts) {
        int lane = c.localIdx;
        int o = c.groupIdx;
        int in = dims.get(IN);
        int mantissaBits = format.get(HalfDecode.MANTISSA_BITS);
        int exponentMask = format.get(HalfDecode.EXPONENT_MASK);
        float mantissaScale = consts.get(0);
        float[] parts = c.allocateFloatLocalArray(REDUCE_GROUP);
        float part = 0f;
        if (o < dims.get(OUT)) {
            int xb = (dims.get(X_ROW) + c.groupIdy) * in;
            int wb = o * in;
            for (int i = lane; i < in; i += REDUCE_GROUP) {
                part += x.get(xb + i) * HalfDecode.decode(w.get(wb + i), mantissaBits, exponentMask, table, mantissaScale);
            }
        }
        parts[lane] = part;
        c.localBarrier();
        for (int stride = REDUCE_GROUP / 2; stride > 0; stride /= 2) {
            if (lane < stride) {
                parts[lane] = parts[lane] + parts[lane + stride];
            }
            c.localBarrier();
        }
        if (lane == 0 && o < dims.get(OUT)) {
            y.set(c.groupIdy * dims.get(OUT) + o, parts[0]);
        }
    }

    /** {@code y[r, o] = Σ_i x[X_ROW + r, i] · w[o, i]}, w float32 {@code [out, in]} (tied unembedding). */
    public static void matmulTransposedF32(KernelContext c, FloatArray x, FloatArray w, FloatArray y, IntArray dims) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int in = dims.get(IN);
        int out = dims.get(OUT);
        if (o < out && r < dims.get(ROWS)) {
            float acc = 0f;
            int xb = (r + dims.get(X_ROW)) * in;
            int wb = o * in;
            for (int i = 0; i < in; i++) {
                acc += x.get(xb + i) * w.get(wb + i);
            }
            y.set(r * out + o, acc);
        }
    }

    /** {@code y[r, o] = Σ_i x[X_ROW + r, i] · w[o, i]}, w 16-bit {@code [out, in]} decoded in the loop. */
    public static void matmulTransposedHalf(KernelContext c, FloatArray x, ShortArray w, FloatArray y, IntArray dims,
                                            IntArray format, FloatArray table, FloatArray consts) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int in = dims.get(IN);
        int out = dims.get(OUT);
        if (o < out && r < dims.get(ROWS)) {
            int mantissaBits = format.get(HalfDecode.MANTISSA_BITS);
            int exponentMask = format.get(HalfDecode.EXPONENT_MASK);
            float mantissaScale = consts.get(0);
            float acc = 0f;
            int xb = (r + dims.get(X_ROW)) * in;
            int wb = o * in;
            for (int i = 0; i < in; i++) {
                float wv = HalfDecode.decode(w.get(wb + i), mantissaBits, exponentMask, table, mantissaScale);
                acc += x.get(xb + i) * wv;
            }
            y.set(r * out + o, acc);
        }
    }

    /**
     * {@link #matmulTransposedReducedF32} with a Q8_0 weight ({@link paligemma4j.kernels.Q8}: blocks of 32 along each
     * row {@code o}, i.e. along the reduction): {@code w[o, i] = scales[o·⌈in/32⌉ + i/32] · q[o·in + i]}.
     */
    public static void matmulTransposedReducedQ8(KernelContext c, FloatArray x, ByteArray q, FloatArray scales,
                                                 FloatArray y, IntArray dims) {
        int lane = c.localIdx;
        int o = c.groupIdx;
        int in = dims.get(IN);
        int blocks = (in + Q8_BLOCK - 1) / Q8_BLOCK;
        float[] parts = c.allocateFloatLocalArray(REDUCE_GROUP);
        float part = 0f;
        if (o < dims.get(OUT)) {
            int xb = (dims.get(X_ROW) + c.groupIdy) * in;
            int wb = o * in;
            int sb = o * blocks;
            for (int i = lane; i < in; i += REDUCE_GROUP) {
                part += x.get(xb + i) * (scales.get(sb + i / Q8_BLOCK) * q.get(wb + i));
            }
        }
        parts[lane] = part;
        c.localBarrier();
        for (int stride = REDUCE_GROUP / 2; stride > 0; stride /= 2) {
            if (lane < stride) {
                parts[lane] = parts[lane] + parts[lane + stride];
            }
            c.localBarrier();
        }
        if (lane == 0 && o < dims.get(OUT)) {
            y.set(c.groupIdy * dims.get(OUT) + o, parts[0]);
        }
    }

    /** Elements per Q8_0 block ({@link paligemma4j.kernels.Q8#BLOCK}), a compile-time constant in the kernels. */
    static final int Q8_BLOCK = 32;
}
