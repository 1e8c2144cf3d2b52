package paligemma4j.model.image;

/**
 * A decoded 8-bit RGB image: {@code height × width × 3} bytes in row-major HWC order
 * (R, G, B per pixel), each byte an unsigned level 0…255 — what TensorFlow's
 * {@code tf.io.decode_image(channels=3)} returns as a uint8 tensor.
 */
public record RgbImage(int height, int width, byte[] pixels) {

    public RgbImage {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "×" + width);
        }
        if (pixels.length != (long) height * width * 3) {
            throw new IllegalArgumentException("RGB buffer has " + pixels.length + " bytes, expected "
                    + height + "×" + width + "×3 = " + (long) height * width * 3);
        }
    }

    /** Unsigned level (0…255) of channel {@code c} at row {@code y}, column {@code x}. */
    public int get(int y, int x, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
