package paligemma4j.eval.refcoco;

import paligemma4j.model.output.ObjectMask;

/**
 * big_vision's per-expression mask IoU (docs/eval-protocols.md#refcoco-parsing, #refcoco-paste-and-iou): box tokens
 * /1023 then × H or W, truncated (all in double, y first); an invalid output or a box empty after truncation scores
 * 0 and counts as invalid; otherwise the 64×64 decoder map is resized into the box with Pillow's BILINEAR,
 * thresholded {@code > 0}, and IoU = inter / (|gt| + |pred| − inter) with the intersection limited to the box and
 * |gt| over the whole image.
 */
public final class MaskIou {
    private MaskIou() {}

    /**
     * The pixel box {@code (Y1, X1, Y2, X2)} for loc values {@code (y1, x1, y2, x2)} in an H×W image.
     */
    public static int[] pixelBox(int[] box, int h, int w) {
        return new int[] {
            (int) (box[0] / 1023.0 * h), (int) (box[1] / 1023.0 * w),
            (int) (box[2] / 1023.0 * h), (int) (box[3] / 1023.0 * w)};
    }

    /** The box-sized predicted mask: {@code mask64} (side {@code side}) resized to (Y2−Y1)×(X2−X1), {@code > 0}. */
    public static boolean[] pastedMask(float[] mask64, int side, int[] pixelBox) {
        return ObjectMask.pasted(mask64, side, pixelBox);
    }

    /**
     * IoU of one expression; returns {@code -1} for "invalid" (IoU 0, counted), else the IoU.
     *
     * @param mask64 decoder output for {@code out.codes()} (ignored when invalid; may be null then)
     * @param gt     ground truth, row-major H×W
     */
    public static double iou(SegmentationOutput out, float[] mask64, int side, boolean[] gt, int h, int w) {
        if (!out.valid()) return -1;
        int[] pb = pixelBox(out.box(), h, w);
        if (pb[3] <= pb[1] || pb[2] <= pb[0]) return -1;
        boolean[] pred = pastedMask(mask64, side, pb);
        int bw = pb[3] - pb[1];
        long gtArea = 0, predArea = 0, inter = 0;
        for (boolean g : gt) if (g) gtArea++;
        for (int y = pb[0]; y < pb[2]; y++) {
            for (int x = pb[1]; x < pb[3]; x++) {
                boolean p = pred[(y - pb[0]) * bw + (x - pb[1])];
                if (p) {
                    predArea++;
                    if (y < h && x < w && gt[y * w + x]) inter++;
                }
            }
        }
        long union = gtArea + predArea - inter;
        return union == 0 ? 0.0 : (double) inter / union;
    }
}
