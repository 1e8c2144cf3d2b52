package paligemma4j.model.parity;

/**
 * How far one Java stage is from its reference.
 *
 * @param maxAbs    max |java − ref|
 * @param maxRel    max |java − ref| / max |ref| (error relative to the stage's scale, robust to zeros)
 * @param cosine    cosine similarity of the two flattened tensors
 * @param tolerance bound on {@code maxRel} for a pass
 */
public record StageDiff(String name, long elements, double maxAbs, double maxRel, double cosine, double tolerance,
                        String problem) {

    public boolean pass() {
        return problem == null && maxRel <= tolerance && !Double.isNaN(maxRel);
    }

    /** Compares {@code java} with {@code reference} (same number of elements, flat row-major). */
    public static StageDiff of(String name, float[] java, float[] reference, double tolerance) {
        if (java.length != reference.length) {
            return new StageDiff(name, reference.length, Double.NaN, Double.NaN, Double.NaN, tolerance,
                    "shape: java has " + java.length + " elements, reference " + reference.length);
        }
        double maxAbs = 0, refMax = 0, dot = 0, nj = 0, nr = 0;
        for (int i = 0; i < java.length; i++) {
            double a = java[i], b = reference[i];
            double d = Math.abs(a - b);
            if (!(d <= maxAbs)) maxAbs = d;                   // NaN propagates
            refMax = Math.max(refMax, Math.abs(b));
            dot += a * b;
            nj += a * a;
            nr += b * b;
        }
        double rel = refMax == 0 ? (maxAbs == 0 ? 0 : Double.POSITIVE_INFINITY) : maxAbs / refMax;
        double cos = nj == 0 || nr == 0 ? (nj == nr ? 1 : 0) : dot / Math.sqrt(nj * nr);
        return new StageDiff(name, java.length, maxAbs, rel, cos, tolerance, null);
    }

    public static StageDiff missing(String name, String why) {
        return new StageDiff(name, 0, Double.NaN, Double.NaN, Double.NaN, 0, why);
    }
}
