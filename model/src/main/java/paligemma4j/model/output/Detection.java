package paligemma4j.model.output;

import java.util.Arrays;

/**
 * One object parsed from PaliGemma's detection / segmentation text (docs/model.md#detection-output,
 * #segmentation-output): {@code <locY0><locX0><locY1><locX1>[<seg…>×16] label}. The four box values are the raw loc
 * bins (y_min, x_min, y_max, x_max; 0…1023 for tokens from the vocabulary), relative to the full squashed image.
 * {@code segTokens} holds the 16 VQ-VAE codebook indices, or is null when the object carried no seg tokens.
 * {@code label} is trimmed of surrounding whitespace; it is empty when the model wrote none.
 */
public record Detection(int y0, int x0, int y1, int x1, String label, int[] segTokens) {

    public Detection {
        if (label == null) {
            throw new IllegalArgumentException("label must not be null (use an empty string)");
        }
        if (segTokens != null) {
            segTokens = segTokens.clone();
        }
    }

    /** big_vision's box check on the bins: {@code y_max > y_min} and {@code x_max > x_min}. */
    public boolean hasValidBox() {
        return y1 > y0 && x1 > x0;
    }

    /** Whether the 16 segmentation tokens were present. */
    public boolean hasMask() {
        return segTokens != null;
    }

    /** The box in pixels of an image of {@code height × width}, under {@code convention}. */
    public PixelBox toPixels(int height, int width, BoxConvention convention) {
        return convention.toPixels(y0, x0, y1, x1, height, width);
    }

    @Override
    public int[] segTokens() {
        return segTokens == null ? null : segTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Detection d && y0 == d.y0 && x0 == d.x0 && y1 == d.y1 && x1 == d.x1
                && label.equals(d.label) && Arrays.equals(segTokens, d.segTokens);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * (31 * y0 + x0) + y1) + x1) + label.hashCode()) + Arrays.hashCode(segTokens);
    }

    @Override
    public String toString() {
        return "Detection[y0=" + y0 + ", x0=" + x0 + ", y1=" + y1 + ", x1=" + x1 + ", label=" + label
                + ", segTokens=" + Arrays.toString(segTokens) + "]";
    }
}
