package paligemma4j.model.output;

/**
 * A box in integer pixel coordinates of the original image: rows {@code y0 … y1−1}, columns
 * {@code x0 … x1−1} (big_vision pastes the mask into {@code [y0:y1, x0:x1]}).
 */
public record PixelBox(int y0, int x0, int y1, int x1) {

    /** True when the box covers no pixel ({@code y1 ≤ y0} or {@code x1 ≤ x0}); big_vision then scores IoU 0. */
    public boolean isEmpty() {
        return y1 <= y0 || x1 <= x0;
    }

    public int height() {
        return Math.max(0, y1 - y0);
    }

    public int width() {
        return Math.max(0, x1 - x0);
    }
}
