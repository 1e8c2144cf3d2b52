package paligemma4j.kernels;

/**
 * Public access, for the TornadoVM backend in {@code paligemma4j.kernels.tornado}, to the reference's
 * constants and argument checks, so every constant keeps one definition ({@link NaiveOps}) and every
 * backend rejects bad arguments with the same one-line messages ({@code OpChecks}). Compiled only in
 * the {@code tornadovm} profile.
 */
public final class ReferenceAccess {

    private ReferenceAccess() {
    }

    /** √(2/π) as float32, the tanh-GELU scale. */
    public static float geluSqrt2OverPi() {
        return NaiveOps.SQRT_2_OVER_PI;
    }

    /** 0.044715, the tanh-GELU cubic coefficient. */
    public static float geluCubic() {
        return NaiveOps.GELU_CUBIC;
    }

    /** RoPE timescale {@code base^(2i/headDim)} in double, rounded to float32. */
    public static float ropeTimescale(float base, int i, int headDim) {
        return NaiveOps.ropeTimescale(base, i, headDim);
    }

    public static void checkMatmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        OpChecks.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
    }

    public static void checkMatmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff,
                                             int yStride) {
        OpChecks.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
    }

    public static void checkAttention(float[] q, int qStride, int rows, int heads, int headDim, float[] k, float[] v,
                                      int kvStride, int kvHeads, int[] visible, float[] out, int outStride) {
        OpChecks.attention(q, qStride, rows, heads, headDim, k, v, kvStride, kvHeads, visible, out, outStride);
    }

    public static void checkRows(String op, String what, float[] a, int off, int rows, int width) {
        OpChecks.rows(op, what, a, off, rows, width);
    }

    public static void checkAtLeast(String op, String what, long have, long need) {
        OpChecks.atLeast(op, what, have, need);
    }
}
