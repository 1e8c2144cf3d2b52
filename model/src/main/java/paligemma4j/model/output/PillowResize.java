package paligemma4j.model.output;

/**
 * Pillow's {@code Image.resize(size, BILINEAR)} for a mode-{@code F} (float32) image: a separable
 * convolution with the triangle kernel (support 1), widened by the scale factor when shrinking
 * (anti-aliasing). Per output pixel the source centre is {@code (i + 0.5)·scale}, taps outside the
 * image are dropped and the double weights renormalised; sums are in double and stored as
 * float32, one axis per pass. The pass order changes the float32 intermediate, hence the last bits.
 */
public final class PillowResize {
    private PillowResize() {}

    /** Which pass Pillow runs first. */
    public enum PassOrder {
        /**
         * Pillow up to at least 11.0 (2024, the published evals; docs/eval-protocols.md#known-answers used 9.4):
         * always horizontal first.
         */
        HORIZONTAL_FIRST,
        /** Pillow 13: vertical first when the height shrinks by more than twice as many pixels as the width. */
        PILLOW_13
    }

    /** {@link #bilinear(float[], int, int, int, int, PassOrder)} with the 2024 order (horizontal first). */
    public static float[] bilinear(float[] in, int inW, int inH, int outW, int outH) {
        return bilinear(in, inW, inH, outW, outH, PassOrder.HORIZONTAL_FIRST);
    }

    /** Resizes {@code in} (row-major, {@code inH × inW}) to {@code outH × outW}. */
    public static float[] bilinear(float[] in, int inW, int inH, int outW, int outH, PassOrder order) {
        if (outW <= 0 || outH <= 0) throw new IllegalArgumentException("resize to " + outW + "x" + outH);
        boolean verticalFirst = order == PassOrder.PILLOW_13 && inH - outH > 0 && inH - outH > (inW - outW) * 2;
        float[] cur = in;
        if (verticalFirst) {
            if (outH != inH) cur = vertical(cur, inW, inH, outH);
            if (outW != inW) cur = horizontal(cur, inW, outH, outW);
        } else {
            if (outW != inW) cur = horizontal(cur, inW, inH, outW);
            if (outH != inH) cur = vertical(cur, outW, inH, outH);
        }
        return cur == in ? in.clone() : cur;
    }

    /** Resamples each of {@code h} rows from width {@code inW} to {@code outW}. */
    private static float[] horizontal(float[] in, int inW, int h, int outW) {
        Coeffs cx = Coeffs.of(inW, outW);
        float[] out = new float[outW * h];
        for (int y = 0; y < h; y++) {
            int row = y * inW;
            for (int x = 0; x < outW; x++) {
                double ss = 0.0;
                int lo = cx.min[x];
                for (int t = 0; t < cx.count[x]; t++) ss += in[row + lo + t] * cx.k[x][t];
                out[y * outW + x] = (float) ss;
            }
        }
        return out;
    }

    /** Resamples each of {@code w} columns from height {@code inH} to {@code outH}. */
    private static float[] vertical(float[] in, int w, int inH, int outH) {
        Coeffs cy = Coeffs.of(inH, outH);
        float[] out = new float[w * outH];
        for (int y = 0; y < outH; y++) {
            int lo = cy.min[y];
            for (int x = 0; x < w; x++) {
                double ss = 0.0;
                for (int t = 0; t < cy.count[y]; t++) ss += in[(lo + t) * w + x] * cy.k[y][t];
                out[y * w + x] = (float) ss;
            }
        }
        return out;
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
