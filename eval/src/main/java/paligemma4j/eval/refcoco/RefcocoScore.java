package paligemma4j.eval.refcoco;

/**
 * RefCOCO result.
 *
 * @param n       expressions scored (all of the split)
 * @param invalid outputs that did not parse or whose box was empty after truncation (IoU 0, counted)
 * @param ious    per-expression IoU in split order (0 for invalid)
 * @param boxIous per-expression box IoU in [0, 1] coordinates (big_vision's boxacc diagnostic; an
 *                invalid output counts as the all-zero box)
 */
public record RefcocoScore(int n, int invalid, double[] ious, double[] boxIous) {
    /** Share of expressions whose box IoU is at least {@code threshold} (big_vision's {@code boxacc/threshold}). */
    public double boxAccuracy(double threshold) {
        int c = 0;
        for (double v : boxIous) if (threshold <= v) c++;
        return n == 0 ? 0.0 : (double) c / n;
    }

    /** Mean per-expression IoU, a fraction; ×100 for the published table. */
    public double miou() {
        double s = 0;
        for (double v : ious) s += v;
        return n == 0 ? 0.0 : s / n;
    }
}
