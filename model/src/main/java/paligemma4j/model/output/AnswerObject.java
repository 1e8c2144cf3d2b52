package paligemma4j.model.output;

/**
 * One object of a detection / segmentation answer, placed on the original image.
 *
 * @param label the object's label as the model wrote it (may be empty)
 * @param box   the box in pixels of the original image, {@code [y0, x0, y1, x1]} with y1, x1 exclusive
 * @param bins  the four raw loc bins {@code <locY0><locX0><locY1><locX1>} (0…1023)
 * @param seg   the 16 VQ-VAE codes of the mask, or null when the object carried none
 */
public record AnswerObject(String label, PixelBox box, Detection bins, int[] seg) {

    public AnswerObject {
        seg = seg == null ? null : seg.clone();
    }

    @Override
    public int[] seg() {
        return seg == null ? null : seg.clone();
    }

    /** Whether the box covers at least one pixel (an empty box is kept but not drawn). */
    public boolean drawable() {
        return bins.hasValidBox() && !box.isEmpty();
    }
}
