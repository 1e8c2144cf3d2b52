package paligemma4j.eval.refcoco;

import paligemma4j.model.output.VqVaeDecoder;
import java.util.List;
import java.util.stream.IntStream;

/** Scores parsed RefCOCO outputs against the examples of a split (mean per-expression IoU). */
public final class RefcocoScorer {
    private RefcocoScorer() {}

    public static RefcocoScore score(List<RefExample> examples, List<SegmentationOutput> outputs, VqVaeDecoder vae) {
        if (examples.size() != outputs.size()) {
            throw new IllegalArgumentException(examples.size() + " examples but " + outputs.size() + " outputs");
        }
        double[] ious = new double[examples.size()];
        double[] boxIous = new double[examples.size()];
        boolean[] invalid = new boolean[ious.length];
        // examples are independent: decode and score them in parallel (the decoder is immutable)
        IntStream.range(0, ious.length).parallel().forEach(i -> {
            RefExample ex = examples.get(i);
            SegmentationOutput out = outputs.get(i);
            boxIous[i] = boxIou(out, ex.normalizedBox());
            int[] pb = out.valid() ? MaskIou.pixelBox(out.box(), ex.height(), ex.width()) : null;
            if (pb == null || pb[3] <= pb[1] || pb[2] <= pb[0]) {
                invalid[i] = true;
                return;
            }
            float[] m64 = vae.decode(out.codes());
            ious[i] = Math.max(0.0, MaskIou.iou(out, m64, vae.maskSize(), ex.groundTruthMask(), ex.height(), ex.width()));
        });
        int nInvalid = 0;
        for (boolean b : invalid) if (b) nInvalid++;
        return new RefcocoScore(ious.length, nInvalid, ious, boxIous);
    }

    /** Box IoU in [0, 1] coordinates, y first; an invalid output is the all-zero box. */
    static double boxIou(SegmentationOutput out, double[] gt) {
        double[] b = new double[4];
        if (out.valid()) for (int k = 0; k < 4; k++) b[k] = out.box()[k] / 1023.0;
        double inter = area(Math.max(b[0], gt[0]), Math.max(b[1], gt[1]), Math.min(b[2], gt[2]), Math.min(b[3], gt[3]));
        return inter / (area(b[0], b[1], b[2], b[3]) + area(gt[0], gt[1], gt[2], gt[3]) - inter);
    }

    private static double area(double y1, double x1, double y2, double x2) {
        return Math.max(x2 - x1, 0.0) * Math.max(y2 - y1, 0.0);
    }
}
