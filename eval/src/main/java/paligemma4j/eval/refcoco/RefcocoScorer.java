package paligemma4j.eval.refcoco;

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
        boolean[] invalid = new boolean[ious.length];
        // examples are independent: decode and score them in parallel (the decoder is immutable)
        IntStream.range(0, ious.length).parallel().forEach(i -> {
            RefExample ex = examples.get(i);
            SegmentationOutput out = outputs.get(i);
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
        return new RefcocoScore(ious.length, nInvalid, ious);
    }
}
