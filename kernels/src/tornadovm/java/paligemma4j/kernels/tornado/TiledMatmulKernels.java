package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Batched matmul for the vision tower and the prefill (many rows): {@code y = x · W + bias} in
 * {@link #TILE}×{@link #TILE} output tiles, one work-group per tile; each step stages a TILE-wide slice
 * of x's rows and of W's columns in local memory (16-bit weights decoded once, at staging), so every
 * loaded element is reused TILE times. Sums run over k in order, as {@code NaiveOps}; padding outside
 * the matrix is staged as 0 and adds exact zeros.
 *
 * <p>The epilogue is fused ({@code dims[EPILOGUE]}): {@link #STORE} {@code y = acc + b},
 * {@link #GELU} {@code y = gelu_tanh(acc + b)} (SigLIP fc1), {@link #RESIDUAL} {@code y += acc + b}
 * (the residual add after the attention output and MLP projections), {@link #MULTIPLY}
 * {@code y *= acc + b} (GeGLU's up branch times the already-GELU'd gate). {@code consts} holds the GELU
 * constants {@code [√(2/π), 0.044715]}.
 *
 * <p>One row (the decode step) would leave 15 of 16 row-lanes idle, so there the row-lanes split the
 * k loop instead (lane j sums the staged k ≡ j mod TILE) and a local tree adds the 16 partials: a
 * different summation order, within the same γ_n bound. Both modes run the same barriers: PoCL
 * corrupted memory (malloc abort) with barriers inside a branch on {@code rows}, although that branch
 * is uniform over the work-group.
 *
 * <p>Launch: global {@code (roundUp(out, TILE), roundUp(rows, TILE))}, local {@code (TILE, TILE)}.
 *
 * <p>Device kernels: TornadoVM passes only arrays and primitives to a kernel, so sizes and offsets are plain
 * parameters or entries of a small int array.
 */
public final class TiledMatmulKernels {

    /**
     * Tile edge. Local arrays need a compile-time size; 16×16 = 256 work-items is the largest square group
     * every OpenCL GPU and PoCL accept (CL_DEVICE_MAX_WORK_GROUP_SIZE ≥ 256), and 2 × 1 KiB of local memory.
     */
    public static final int TILE = 16;
    /** {@code dims} slot of the epilogue (after {@link LinearKernels#IN}, {@code OUT}, {@code ROWS}). */
    public static final int EPILOGUE = 3;
    /** Number of {@code dims} ints. */
    public static final int DIMS = 4;
    /** Epilogues. */
    public static final int STORE = 0, GELU = 1, RESIDUAL = 2, MULTIPLY = 3;

    private TiledMatmulKernels() {
    }

    /** Roundup of {@code n} to a multiple of {@link #TILE} (the launch size of one axis). */
    public static int launchSize(int n) {
        return (n + TILE - 1) / TILE * TILE;
    }

    private static void epilogue(FloatArray y, int idx, float v, int mode, FloatArray consts) {
        if (mode == GELU) {
            y.set(idx, PointwiseKernels.geluTanh(v, consts.get(0), consts.get(1)));
        } else if (mode == RESIDUAL) {
            y.set(idx, y.get(idx) + v);
        } else if (mode == MULTIPLY) {
            y.set(idx, y.get(idx) * v);
        } else {
            y.set(idx, v);
        }
    }

    /** float32 weight {@code [in, out]}. */
    public static void matmulF32(KernelContext c, FloatArray x, FloatArray w, FloatArray bias, FloatArray y,
                                 IntArray dims, FloatArray consts) {
        int lo = c.localIdx;
        int lr = c.localIdy;
        int o = c.groupIdx * TILE + lo;
        int r = c.groupIdy * TILE + lr;
        int in = dims.get(LinearKernels.IN);
        int out = dims.get(LinearKernels.OUT);
        int rows = dims.get(LinearKernels.ROWS);
        float[] xs = c.allocateFloatLocalArray(TILE * TILE);
        float[] ws = c.allocateFloatLocalArray(TILE * TILE);
        boolean split = rows == 1;
        float acc = 0f;
        for (int k0 = 0; k0 < in; k0 += TILE) {
            int kx = k0 + lo;
            float xv = 0f;
            if (r < rows && kx < in) {
                xv = x.get(r * in + kx);
            }
            xs[lr * TILE + lo] = xv;
            int kw = k0 + lr;
            float wv = 0f;
            if (kw < in && o < out) {
                wv = w.get(kw * out + o);
            }
            ws[lr * TILE + lo] = wv;
            c.localBarrier();
            if (split) {
                acc += xs[lr] * ws[lr * TILE + lo];
            } else {
                for (int kk = 0; kk < TILE; kk++) {
                    acc += xs[lr * TILE + kk] * ws[kk * TILE + lo];
                }
            }
            c.localBarrier();
        }
        // split-k partials: a tree over the row-lanes (run in both modes so every barrier is unconditional)
        xs[lr * TILE + lo] = acc;
        c.localBarrier();
        for (int stride = TILE / 2; stride > 0; stride /= 2) {
            if (lr < stride) {
                xs[lr * TILE + lo] = xs[lr * TILE + lo] + xs[(lr + stride) * TILE + lo];
            }
            c.localBarrier();
        }
        if (split) {
            if (lr == 0 && o < out) {
                epilogue(y, o, xs[lo] + bias.get(o), dims.get(EPILOGUE), consts);
            }
        } else if (r < rows && o < out) {
            epilogue(y, r * out + o, acc + bias.get(o), dims.get(EPILOGUE), consts);
        }
    }

    /** 16-bit weight {@code [in, out]}, decoded while staging ({@code format}, {@code table}, {@code scale[0]}). */
    public static void matmulHalf(KernelContext c, FloatArray x, ShortArray w, FloatArray bias, FloatArray y,
                                  IntArray dims, FloatArray consts, IntArray format, FloatArray table,
                                  FloatArray scale) {
        int lo = c.localIdx;
        int lr = c.localIdy;
        int o = c.groupIdx * TILE + lo;
        int r = c.groupIdy * TILE + lr;
        int in = dims.get(LinearKernels.IN);
        int out = dims.get(LinearKernels.OUT);
        int rows = dims.get(LinearKernels.ROWS);
        int mantissaBits = format.get(HalfDecode.MANTISSA_BITS);
        int exponentMask = format.get(HalfDecode.EXPONENT_MASK);
        float mantissaScale = scale.get(0);
        float[] xs = c.allocateFloatLocalArray(TILE * TILE);
        float[] ws = c.allocateFloatLocalArray(TILE * TILE);
        boolean split = rows == 1;
        float acc = 0f;
        for (int k0 = 0; k0 < in; k0 += TILE) {
            int kx = k0 + lo;
            float xv = 0f;
            if (r < rows && kx < in) {
                xv = x.get(r * in + kx);
            }
            xs[lr * TILE + lo] = xv;
            int kw = k0 + lr;
            float wv = 0f;
            if (kw < in && o < out) {
                wv = HalfDecode.decode(w.get(kw * out + o), mantissaBits, exponentMask, table, mantissaScale);
            }
            ws[lr * TILE + lo] = wv;
            c.localBarrier();
            if (split) {
                acc += xs[lr] * ws[lr * TILE + lo];
            } else {
                for (int kk = 0; kk < TILE; kk++) {
                    acc += xs[lr * TILE + kk] * ws[kk * TILE + lo];
                }
            }
            c.localBarrier();
        }
        // split-k partials: a tree over the row-lanes (run in both modes so every barrier is unconditional)
        xs[lr * TILE + lo] = acc;
        c.localBarrier();
        for (int stride = TILE / 2; stride > 0; stride /= 2) {
            if (lr < stride) {
                xs[lr * TILE + lo] = xs[lr * TILE + lo] + xs[(lr + stride) * TILE + lo];
            }
            c.localBarrier();
        }
        if (split) {
            if (lr == 0 && o < out) {
                epilogue(y, o, xs[lo] + bias.get(o), dims.get(EPILOGUE), consts);
            }
        } else if (r < rows && o < out) {
            epilogue(y, r * out + o, acc + bias.get(o), dims.get(EPILOGUE), consts);
        }
    }

    /**
     * Q8_0 weight {@code [in, out]} ({@link paligemma4j.kernels.Q8}: blocks of 32 along each row k, i.e. along the
     * output), decoded while staging. The columns are parts of {@code part[0]} columns side by side (one part for a
     * plain weight), each with its own blocks: {@code w[k, o] = scales[k·B + (o / P)·⌈P/32⌉ + (o mod P)/32] · q[k·out + o]}
     * with {@code P = part[0]}, {@code B = (out / P)·⌈P/32⌉}.
     */
    public static void matmulQ8(KernelContext c, FloatArray x, ByteArray q, FloatArray scales, IntArray part,
                                FloatArray bias, FloatArray y, IntArray dims, FloatArray consts) {
        int lo = c.localIdx;
        int lr = c.localIdy;
        int o = c.groupIdx * TILE + lo;
        int r = c.groupIdy * TILE + lr;
        int in = dims.get(LinearKernels.IN);
        int out = dims.get(LinearKernels.OUT);
        int rows = dims.get(LinearKernels.ROWS);
        int partWidth = part.get(0);
        int partBlocks = (partWidth + LinearKernels.Q8_BLOCK - 1) / LinearKernels.Q8_BLOCK;
        int rowBlocks = (out / partWidth) * partBlocks;
        int po = o / partWidth;
        int scaleColumn = po * partBlocks + (o - po * partWidth) / LinearKernels.Q8_BLOCK;
        float[] xs = c.allocateFloatLocalArray(TILE * TILE);
        float[] ws = c.allocateFloatLocalArray(TILE * TILE);
        boolean split = rows == 1;
        float acc = 0f;
        for (int k0 = 0; k0 < in; k0 += TILE) {
            int kx = k0 + lo;
            float xv = 0f;
            if (r < rows && kx < in) {
                xv = x.get(r * in + kx);
            }
            xs[lr * TILE + lo] = xv;
            int kw = k0 + lr;
            float wv = 0f;
            if (kw < in && o < out) {
                wv = scales.get(kw * rowBlocks + scaleColumn) * q.get(kw * out + o);
            }
            ws[lr * TILE + lo] = wv;
            c.localBarrier();
            if (split) {
                acc += xs[lr] * ws[lr * TILE + lo];
            } else {
                for (int kk = 0; kk < TILE; kk++) {
                    acc += xs[lr * TILE + kk] * ws[kk * TILE + lo];
                }
            }
            c.localBarrier();
        }
        // split-k partials: a tree over the row-lanes (run in both modes so every barrier is unconditional)
        xs[lr * TILE + lo] = acc;
        c.localBarrier();
        for (int stride = TILE / 2; stride > 0; stride /= 2) {
            if (lr < stride) {
                xs[lr * TILE + lo] = xs[lr * TILE + lo] + xs[(lr + stride) * TILE + lo];
            }
            c.localBarrier();
        }
        if (split) {
            if (lr == 0 && o < out) {
                epilogue(y, o, xs[lo] + bias.get(o), dims.get(EPILOGUE), consts);
            }
        } else if (r < rows && o < out) {
            epilogue(y, r * out + o, acc + bias.get(o), dims.get(EPILOGUE), consts);
        }
    }
}
