package paligemma4j.model.image;

/**
 * {@code tf.image.resize(method="bilinear", antialias=False)} on a uint8 RGB image, i.e. TF's
 * CPU {@code ResizeBilinear} kernel with {@code half_pixel_centers=True}, reproduced operation by
 * operation in float32 so that the output floats are bit-identical:
 * <pre>
 *   scale  = (float) in / (float) out                      (per axis)
 *   src    = ((float) o + 0.5f) * scale - 0.5f
 *   lower  = max(floor(src), 0),  upper = min(ceil(src), in - 1),  lerp = src - floor(src)
 *   top    = TL + (TR - TL) * xLerp;   bottom = BL + (BR - BL) * xLerp
 *   out    = top + (bottom - top) * yLerp
 * </pre>
 * No low-pass filtering happens when shrinking (that is the antialias variant).
 */
public final class BilinearResize {

    private BilinearResize() {
    }

    /** Per-output-index source indices and weight along one axis. */
    private record Axis(int[] lower, int[] upper, float[] lerp) {
        static Axis of(int in, int out) {
            float scale = (float) in / (float) out;
            int[] lower = new int[out];
            int[] upper = new int[out];
            float[] lerp = new float[out];
            for (int o = 0; o < out; o++) {
                float src = ((float) o + 0.5f) * scale - 0.5f;
                float srcFloor = (float) Math.floor(src);
                lower[o] = Math.max((int) srcFloor, 0);
                upper[o] = Math.min((int) Math.ceil(src), in - 1);
                lerp[o] = src - srcFloor;
            }
            return new Axis(lower, upper, lerp);
        }
    }

    /**
     * Resizes to {@code outHeight × outWidth}; returns the float32 result, HWC RGB, before any
     * clipping or casting (values stay within [0, 255] since bilinear weights are convex).
     */
    public static float[] resize(RgbImage image, int outHeight, int outWidth) {
        int inH = image.height();
        int inW = image.width();
        byte[] px = image.pixels();
        Axis ys = Axis.of(inH, outHeight);
        Axis xs = Axis.of(inW, outWidth);
        float[] out = new float[outHeight * outWidth * 3];
        int rowStride = inW * 3;
        for (int y = 0; y < outHeight; y++) {
            int top = ys.lower[y] * rowStride;
            int bottom = ys.upper[y] * rowStride;
            float yLerp = ys.lerp[y];
            for (int x = 0; x < outWidth; x++) {
                int left = xs.lower[x] * 3;
                int right = xs.upper[x] * 3;
                float xLerp = xs.lerp[x];
                int o = (y * outWidth + x) * 3;
                for (int c = 0; c < 3; c++) {
                    float tl = px[top + left + c] & 0xFF;
                    float tr = px[top + right + c] & 0xFF;
                    float bl = px[bottom + left + c] & 0xFF;
                    float br = px[bottom + right + c] & 0xFF;
                    float t = tl + (tr - tl) * xLerp;
                    float b = bl + (br - bl) * xLerp;
                    out[o + c] = t + (b - t) * yLerp;
                }
            }
        }
        return out;
    }
}
