package paligemma4j.model.image;

/**
 * {@code tf.image.resize(method="bilinear", antialias=True)} on a uint8 RGB image: TF's CPU
 * {@code ScaleAndTranslate} kernel with {@code kernel_type="triangle"}, scale = out/in (float32)
 * and translation 0, reproduced in the same float32 operation order.
 *
 * <p>Per axis and output index {@code o} (TF {@code ComputeSpansCore}):
 * <pre>
 *   invScale    = (float) (1.0 / (double) scale)
 *   kernelScale = max(invScale, 1)            // radius 1 widened when shrinking
 *   centre      = ((float) o + 0.5f) * invScale
 *   span        = ceil(centre - kernelScale - 0.5f) … floor(centre + kernelScale - 0.5f), clamped to [0, in-1]
 *   w(i)        = max(0, 1 - |(((float) i + 0.5f) - centre) * (1 / kernelScale)|), then w / Σw
 * </pre>
 * The image is filtered along rows first (into an {@code out_h × in_w} float buffer), then along
 * columns, each output accumulated as {@code acc += w * v} in span order (TF {@code GatherRows},
 * {@code GatherColumns}).
 */
public final class AntialiasResize {

    private AntialiasResize() {
    }

    /** Normalised filter taps along one axis: output o reads {@code start[o] + j} with weight {@code weights[o][j]}. */
    private record Spans(int[] start, float[][] weights) {
        static Spans of(int in, int out) {
            float scale = (float) out / (float) in;
            float invScale = (float) (1.0 / (double) scale);
            float kernelScale = Math.max(invScale, 1.0f);
            float radius = 1.0f * kernelScale;
            float oneOverKernelScale = 1.0f / kernelScale;
            int[] start = new int[out];
            float[][] weights = new float[out][];
            for (int o = 0; o < out; o++) {
                float centre = ((float) o + 0.5f) * invScale;
                if (centre < 0 || centre > in) { // cannot happen without translation; TF leaves an empty span
                    weights[o] = new float[0];
                    continue;
                }
                long first = (long) Math.ceil(centre - radius - 0.5f);
                long last = (long) Math.floor(centre + radius - 0.5f);
                first = Math.clamp(first, 0, in - 1);
                last = Math.clamp(last, 0, in - 1) + 1;
                int n = (int) (last - first);
                float[] w = new float[n];
                float sum = 0.0f;
                for (int j = 0; j < n; j++) {
                    float pos = ((float) (first + j) + 0.5f) - centre;
                    w[j] = triangle(Math.abs(pos * oneOverKernelScale));
                    sum += w[j];
                }
                if (Math.abs(sum) >= 1000.0f * Float.MIN_NORMAL) {
                    float inv = 1.0f / sum;
                    for (int j = 0; j < n; j++) {
                        w[j] = w[j] * inv;
                    }
                } else {
                    java.util.Arrays.fill(w, 0.0f);
                }
                start[o] = (int) first;
                weights[o] = w;
            }
            return new Spans(start, weights);
        }
    }

    private static float triangle(float x) {
        x = Math.abs(x);
        return x < 1.0f ? 1.0f - x : 0.0f;
    }

    /** Resizes to {@code outHeight × outWidth}; returns the float32 result, HWC RGB, before clipping or casting. */
    public static float[] resize(RgbImage image, int outHeight, int outWidth) {
        int inH = image.height();
        int inW = image.width();
        byte[] px = image.pixels();
        Spans rows = Spans.of(inH, outHeight);
        Spans cols = Spans.of(inW, outWidth);
        int inRow = inW * 3;
        // Rows first: intermediate[y][x][c] = Σ_j w_j · image[start_y + j][x][c].
        float[] mid = new float[outHeight * inRow];
        for (int y = 0; y < outHeight; y++) {
            float[] w = rows.weights[y];
            int dst = y * inRow;
            for (int j = 0; j < w.length; j++) {
                int src = (rows.start[y] + j) * inRow;
                float wj = w[j];
                for (int k = 0; k < inRow; k++) {
                    mid[dst + k] += wj * (float) (px[src + k] & 0xFF);
                }
            }
        }
        // Then columns: out[y][x][c] = Σ_j w_j · intermediate[y][start_x + j][c].
        float[] out = new float[outHeight * outWidth * 3];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                float[] w = cols.weights[x];
                int o = (y * outWidth + x) * 3;
                int src = y * inRow + cols.start[x] * 3;
                float r = 0.0f;
                float g = 0.0f;
                float b = 0.0f;
                for (int j = 0; j < w.length; j++) {
                    float wj = w[j];
                    r += wj * mid[src + j * 3];
                    g += wj * mid[src + j * 3 + 1];
                    b += wj * mid[src + j * 3 + 2];
                }
                out[o] = r;
                out[o + 1] = g;
                out[o + 2] = b;
            }
        }
        return out;
    }
}
