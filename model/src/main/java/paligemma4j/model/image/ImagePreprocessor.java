package paligemma4j.model.image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * big_vision's PaliGemma image pipeline {@code decode | resize(R) | value_range(-1, 1)}
 * (docs/model.md#image-preprocessing), producing the float32 pixels the SigLIP patch conv reads:
 * <ol>
 *   <li>decode to 8-bit RGB ({@link ImageDecoder});</li>
 *   <li>resize to R×R, aspect ratio not kept, with {@code tf.image.resize(method="bilinear")},
 *       antialias off or on ({@link Resize});</li>
 *   <li>clip to [0, 255] and cast back to uint8 by truncation (big_vision's {@code resize} op);</li>
 *   <li>{@code v = -1 + (u / 255) * 2} in float32 (big_vision's {@code value_range}).</li>
 * </ol>
 * Output layout: {@code float[R * R * 3]}, row-major HWC, RGB.
 */
public final class ImagePreprocessor {

    private ImagePreprocessor() {
    }

    /** Decodes {@code image}, resizes it to {@code resolution}² and scales it to [−1, 1]. */
    public static float[] preprocess(Path image, int resolution, Resize mode) {
        checkResolution(resolution);
        return preprocess(ImageDecoder.decodeRgb(image), resolution, mode);
    }

    /** Same as {@link #preprocess(Path, int, Resize)} for an image already in memory. */
    public static float[] preprocess(BufferedImage image, int resolution, Resize mode) {
        checkResolution(resolution);
        return preprocess(ImageDecoder.toRgb(image, "in-memory image"), resolution, mode);
    }

    /** Same as {@link #preprocess(Path, int, Resize)} for raw 8-bit RGB pixels. */
    public static float[] preprocess(RgbImage image, int resolution, Resize mode) {
        checkResolution(resolution);
        return toValueRange(resizeToUint8(image, resolution, resolution, mode));
    }

    /** {@link ImageDecoder#decodeRgb(Path)}, re-exported for callers and tests. */
    public static RgbImage decodeRgb(Path image) {
        return ImageDecoder.decodeRgb(image);
    }

    /** The float32 output of {@code tf.image.resize} before big_vision's clip-and-cast. */
    public static float[] resizeFloat(RgbImage image, int outHeight, int outWidth, Resize mode) {
        if (outHeight <= 0 || outWidth <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + outHeight + "×" + outWidth);
        }
        return switch (mode) {
            case BILINEAR -> BilinearResize.resize(image, outHeight, outWidth);
            case BILINEAR_ANTIALIAS -> AntialiasResize.resize(image, outHeight, outWidth);
        };
    }

    /**
     * big_vision's {@code resize} op: {@code tf.image.resize}, then {@code clip(0, 255)} and a cast to
     * uint8, which truncates toward zero.
     */
    public static RgbImage resizeToUint8(RgbImage image, int outHeight, int outWidth, Resize mode) {
        float[] f = resizeFloat(image, outHeight, outWidth, mode);
        byte[] u = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            float v = Math.min(Math.max(f[i], 0.0f), 255.0f);
            u[i] = (byte) (int) v;
        }
        return new RgbImage(outHeight, outWidth, u);
    }

    /** big_vision's {@code value_range(-1, 1)}: {@code -1 + ((u - 0) / (255 - 0)) * (1 - (-1))} in float32. */
    public static float[] toValueRange(RgbImage image) {
        byte[] u = image.pixels();
        float[] out = new float[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = valueRange(u[i] & 0xFF);
        }
        return out;
    }

    /** One level of {@link #toValueRange}: {@code -1f + (u / 255f) * 2f}. */
    public static float valueRange(int level) {
        return -1.0f + ((float) level / 255.0f) * 2.0f;
    }

    private static void checkResolution(int resolution) {
        if (resolution <= 0) {
            throw new IllegalArgumentException("image resolution must be positive, got " + resolution);
        }
    }
}
