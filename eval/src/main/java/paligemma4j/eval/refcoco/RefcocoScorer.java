package paligemma4j.eval.refcoco;

import java.util.List;

/** Scores parsed RefCOCO outputs against the examples of a split (mean per-expression IoU). */
public final class RefcocoScorer {
    private RefcocoScorer() {}

    public static RefcocoScore score(List<RefExample> examples, List<SegmentationOutput> outputs, VqVaeDecoder vae) {
        if (examples.size() != outputs.size()) {
            throw new IllegalArgumentException(examples.size() + " examples but " + outputs.size() + " outputs");
        }
        double[] ious = new double[examples.size()];
        int invalid = 0;
        for (int i = 0; i < ious.length; i++) {
            RefExample ex = examples.get(i);
            SegmentationOutput out = outputs.get(i);
            int[] pb = out.valid() ? MaskIou.pixelBox(out.box(), ex.height(), ex.width()) : null;
            if (pb == null || pb[3] <= pb[1] || pb[2] <= pb[0]) {
                invalid++;
                continue;
            }
            float[] m64 = vae.decode(out.codes());
            double v = MaskIou.iou(out, m64, vae.maskSize(), ex.groundTruthMask(), ex.height(), ex.width());
            ious[i] = Math.max(v, 0.0);
        }
        return new RefcocoScore(ious.length, invalid, ious);
    }
}
