package paligemma4j.kernels;

/**
 * Activations quantized per {@link Q8#BLOCK} elements for the integer Q8_0 products ({@link Q8DotKernels}):
 * per block a float32 scale {@code d = max|x| / 127} and values {@code q = rint(x · (1/d))} clamped to ±127,
 * kept widened to int16 (the kernels multiply int16 lanes); an all-zero block has {@code d = 0}, q = 0.
 * Error per element {@code |x − d·q| ≤ d/2} (plus the rounding of {@code x / d}).
 *
 * <p>Symmetric ±127 on both sides keeps two products, {@code 2·127² = 32258}, inside int16: the
 * kernels add them in 16 bits before widening.
 */
final class Q8Activations {
    private Q8Activations() {}

    /**
     * {@code x[xOff .. xOff + width)} quantized: values into {@code q[qOff ..]}, one scale per block into
     * {@code d[dOff ..]} (⌈width/32⌉ scales; the last block may be short).
     *
     * @throws IllegalArgumentException naming the block when x holds a non-finite value
     */
    static void quantize(float[] x, int xOff, int width, short[] q, int qOff, float[] d, int dOff) {
        int nb = Q8.blocks(width);
        for (int b = 0; b < nb; b++) {
            int c0 = b * Q8.BLOCK, c1 = Math.min(width, c0 + Q8.BLOCK);
            float max = 0f;
            for (int c = c0; c < c1; c++) max = Math.max(max, Math.abs(x[xOff + c]));
            if (!Float.isFinite(max)) {
                throw new IllegalArgumentException("int8 activations: block " + b + " holds a non-finite value");
            }
            float scale = max / 127f;
            d[dOff + b] = scale;
            if (scale == 0f) {
                java.util.Arrays.fill(q, qOff + c0, qOff + c1, (short) 0);
                continue;
            }
            float inv = 1f / scale;
            for (int c = c0; c < c1; c++) {
                q[qOff + c] = (short) Math.max(-127, Math.min(127, (int) Math.rint(x[xOff + c] * inv)));
            }
        }
    }
}
