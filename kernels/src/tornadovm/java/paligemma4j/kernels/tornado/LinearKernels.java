package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * Dense products against a weight matrix kept on the device in its stored type. One work-item per
 * output element (grid {@code (out, rows)}), float32 accumulation in input order (the order of
 * {@code NaiveOps}). Sizes arrive in {@code dims} because one compiled plan serves every call with a
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

    private LinearKernels() {
    }

    /** {@code y[r, o] = Σ_i x[r, i] · w[i, o] + bias[o]}, w float32 {@code [in, out]}. */
    public static void matmulF32(KernelContext c, FloatArray x, FloatArray w, FloatArray bias, FloatArray y,
                                 IntArray dims) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int in = dims.get(IN);
        int out = dims.get(OUT);
        if (o < out && r < dims.get(ROWS)) {
            float acc = 0f;
            int xb = r * in;
            for (int i = 0; i < in; i++) {
                acc += x.get(xb + i) * w.get(i * out + o);
            }
            y.set(r * out + o, acc + bias.get(o));
        }
    }

    /** {@code y[r, o] = Σ_i x[r, i] · w[i, o] + bias[o]}, w 16-bit {@code [in, out]} decoded in the loop. */
    public static void matmulHalf(KernelContext c, FloatArray x, ShortArray w, FloatArray bias, FloatArray y,
                                  IntArray dims, IntArray format, FloatArray table, FloatArray consts) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int in = dims.get(IN);
        int out = dims.get(OUT);
        if (o < out && r < dims.get(ROWS)) {
            int mantissaBits = format.get(HalfDecode.MANTISSA_BITS);
            int exponentMask = format.get(HalfDecode.EXPONENT_MASK);
            float mantissaScale = consts.get(0);
            float acc = 0f;
            int xb = r * in;
            for (int i = 0; i < in; i++) {
                float wv = HalfDecode.decode(w.get(i * out + o), mantissaBits, exponentMask, table, mantissaScale);
                acc += x.get(xb + i) * wv;
            }
            y.set(r * out + o, acc + bias.get(o));
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
}
