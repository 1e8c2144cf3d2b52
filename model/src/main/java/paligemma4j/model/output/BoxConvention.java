package paligemma4j.model.output;

/**
 * The two loc-bin → pixel conventions found in Google's code (docs/model.md#detection-output).
 * All arithmetic is IEEE double, in the reference's order (bin divided first, then multiplied by
 * the side), so that the integer results equal Python's.
 */
public enum BoxConvention {

    /**
     * big_vision evaluator (refcoco): {@code v = k / 1023}, pixel = {@code int(v · side)}
     * (truncation, i.e. floor for these non-negative values). Use this to reproduce the metrics.
     */
    BIG_VISION {
        @Override
        int toPixel(int bin, int side) {
            return (int) ((bin / 1023.0) * side);
        }
    },

    /**
     * Google's demo code (HF Space / colab copies): {@code v = k / 1024}, pixel =
     * {@code round(v · side)} with Python's round half to even.
     */
    DEMO {
        @Override
        int toPixel(int bin, int side) {
            return (int) Math.rint((bin / 1024.0) * side);
        }
    };

    abstract int toPixel(int bin, int side);

    /** Converts loc bins (y_min, x_min, y_max, x_max) to pixels of a {@code height × width} image. */
    public PixelBox toPixels(int y0, int x0, int y1, int x1, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "×" + width);
        }
        return new PixelBox(toPixel(y0, height), toPixel(x0, width), toPixel(y1, height), toPixel(x1, width));
    }
}
