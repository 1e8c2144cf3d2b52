package paligemma4j.eval.refcoco;

/**
 * Pillow's {@code Image.resize(size, BILINEAR)} for a mode-{@code F} (float32) image: a separable
 * convolution with the triangle kernel (support 1), widened by the scale factor when shrinking
 * (anti-aliasing). Per output pixel the source centre is {@code (i + 0.5)·scale}, taps outside the
 * image are dropped and the double weights renormalised; sums are in double and stored as
 * float32. The horizontal pass runs first (when the width changes), then the vertical pass.
 */
public final class PillowResize {
    private PillowResize() {}

    /** Resizes {@code in} (row-major, {@code inH × inW}) to {@code outH × outW}. */
    public static float[] bilinear(float[] in, int inW, int inH, int outW, int outH) {
        if (outW <= 0 || outH <= 0) throw new IllegalArgumentException("resize to " + outW + "x" + outH);
        float[] cur = in;
        int curW = inW;
        if (outW != inW) {
            Coeffs cx = Coeffs.of(inW, outW);
            float[] out = new float[outW * inH];
            for (int y = 0; y < inH; y++) {
                int row = y * inW;
                for (int x = 0; x < outW; x++) {
                    double ss = 0.0;
                    int lo = cx.min[x];
                    for (int t = 0; t < cx.count[x]; t++) ss += cur[row + lo + t] * cx.k[x][t];
                    out[y * outW + x] = (float) ss;
                }
            }
            cur = out;
            curW = outW;
        }
        if (outH != inH) {
            Coeffs cy = Coeffs.of(inH, outH);
            float[] out = new float[curW * outH];
            for (int y = 0; y < outH; y++) {
                int lo = cy.min[y];
                for (int x = 0; x < curW; x++) {
                    double ss = 0.0;
                    for (int t = 0; t < cy.count[y]; t++) ss += cur[(lo + t) * curW + x] * cy.k[y][t];
                    out[y * curW + x] = (float) ss;
                }
            }
            cur = out;
        }
        return cur == in ? in.clone() : cur;
    }

    /** Triangle filter, support 1. */
    static double triangle(double x) {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** Per output index: first source index, number of taps, normalised weights. */
    private record Coeffs(int[] min, int[] count, double[][] k) {
        static Coeffs of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale;
            int[] min = new int[outSize], count = new int[outSize];
            double[][] k = new double[outSize][];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                double inv = 1.0 / filterScale;
                int lo = (int) (center - support + 0.5);
                if (lo < 0) lo = 0;
                int hi = (int) (center + support + 0.5);
                if (hi > inSize) hi = inSize;
                int n = hi - lo;
                double[] w = new double[Math.max(n, 0)];
                double sum = 0.0;
                for (int t = 0; t < n; t++) {
                    w[t] = triangle((t + lo - center + 0.5) * inv);
                    sum += w[t];
                }
                if (sum != 0.0) for (int t = 0; t < n; t++) w[t] /= sum;
                min[i] = lo;
                count[i] = Math.max(n, 0);
                k[i] = w;
            }
            return new Coeffs(min, count, k);
        }
    }
}
