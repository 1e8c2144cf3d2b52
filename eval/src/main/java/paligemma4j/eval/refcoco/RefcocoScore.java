package paligemma4j.eval.refcoco;

/**
 * RefCOCO result.
 *
 * @param n       expressions scored (all of the split)
 * @param invalid outputs that did not parse or whose box was empty after truncation (IoU 0, counted)
 * @param ious    per-expression IoU in split order (0 for invalid)
 */
public record RefcocoScore(int n, int invalid, double[] ious) {
    /** Mean per-expression IoU, a fraction; ×100 for the published table. */
    public double miou() {
        double s = 0;
        for (double v : ious) s += v;
        return n == 0 ? 0.0 : s / n;
    }
}
