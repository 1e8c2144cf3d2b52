package paligemma4j.api;

/**
 * A segmentation answer's mask on the whole original image, as {@code generate --out} writes it: the 16 VQ-VAE codes
 * decoded to 64×64 logits, resized into the object's box with Pillow's bilinear filter and thresholded {@code > 0};
 * pixels outside the box are off (docs/outputs.md).
 *
 * @param width  image width in pixels
 * @param height image height in pixels
 * @param pixels row-major {@code height × width}: {@code pixels[y · width + x]} is true where the object is
 */
public record Mask(int width, int height, boolean[] pixels) {

    public Mask {
        if (width < 0 || height < 0 || pixels.length != (long) width * height) {
            throw new IllegalArgumentException("mask " + width + "×" + height + " needs " + (long) width * height
                    + " pixels, got " + pixels.length);
        }
        pixels = pixels.clone();
    }

    @Override
    public boolean[] pixels() {
        return pixels.clone();
    }

    /** Whether pixel (x, y) belongs to the object. */
    public boolean get(int x, int y) {
        return pixels[y * width + x];
    }

    /** Pixels that belong to the object. */
    public int area() {
        int n = 0;
        for (boolean p : pixels) if (p) n++;
        return n;
    }
}
