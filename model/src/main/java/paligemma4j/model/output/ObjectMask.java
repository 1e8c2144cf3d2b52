package paligemma4j.model.output;

/**
 * An object's mask on the whole image, as big_vision's segmentation evaluator builds it: the VQ-VAE decodes
 * the 16 codes to 64×64 logits, which are resized into the pixel box with Pillow's bilinear filter and
 * thresholded {@code > 0}; pixels outside the box are off.
 */
public final class ObjectMask {
    private ObjectMask() {}

    /** The row-major {@code height × width} mask of {@code codes} pasted into {@code box}. */
    public static boolean[] decode(VqVaeDecoder vae, int[] codes, PixelBox box, int height, int width) {
        boolean[] full = new boolean[height * width];
        if (box.isEmpty()) return full;
        float[] logits = vae.decode(codes);
        int[] pb = {box.y0(), box.x0(), box.y1(), box.x1()};
        boolean[] inBox = pasted(logits, vae.maskSize(), pb);
        int bw = box.width();
        for (int y = box.y0(); y < Math.min(box.y1(), height); y++) {
            for (int x = box.x0(); x < Math.min(box.x1(), width); x++) {
                full[y * width + x] = inBox[(y - box.y0()) * bw + (x - box.x0())];
            }
        }
        return full;
    }

    /**
     * The box-sized mask: {@code mask64} (side {@code side}) resized to (Y2−Y1)×(X2−X1) with Pillow's bilinear
     * filter and thresholded {@code > 0}, for the pixel box {@code (Y1, X1, Y2, X2)}.
     */
    public static boolean[] pasted(float[] mask64, int side, int[] pixelBox) {
        int bh = pixelBox[2] - pixelBox[0], bw = pixelBox[3] - pixelBox[1];
        float[] r = PillowResize.bilinear(mask64, side, side, bw, bh);
        boolean[] m = new boolean[r.length];
        for (int i = 0; i < r.length; i++) m[i] = r[i] > 0.0f;
        return m;
    }
}
