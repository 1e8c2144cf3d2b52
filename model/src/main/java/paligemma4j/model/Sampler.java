package paligemma4j.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Draws tokens under a {@link Sampling}; one instance per sequence (it owns the random stream). */
public final class Sampler {
    private final Sampling sampling;
    private final SplittableRandom random;

    public Sampler(Sampling sampling) {
        this.sampling = sampling;
        this.random = new SplittableRandom(sampling.seed());
    }

    public Sampling sampling() {
        return sampling;
    }

    /** The next token for {@code logits} (not modified). */
    public int next(float[] logits) {
        if (sampling.greedy()) return GreedyDecoder.argmax(logits);
        return pick(logits, sampling, random.nextDouble());
    }

    /** The token at uniform draw {@code u} ∈ [0, 1) of the filtered distribution, walking ids in order. */
    static int pick(float[] logits, Sampling s, double u) {
        int n = logits.length;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = logits[i] / s.temperature();
        double cutoff = Double.NEGATIVE_INFINITY;
        double[] sorted = null;
        if (s.topK() > 0 && s.topK() < n) {
            sorted = descending(z);
            cutoff = sorted[s.topK() - 1];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) if (v > max) max = v;
        if (s.topP() < 1) {
            if (sorted == null) sorted = descending(z);
            double total = 0;
            for (double v : sorted) if (v >= cutoff) total += Math.exp(v - max);
            double cum = 0;
            int idx = 0;   // big_vision: cutoff index = number of sorted tokens whose cumulative probability < p
            for (; idx < n && sorted[idx] >= cutoff; idx++) {
                cum += Math.exp(sorted[idx] - max) / total;
                if (!(cum < s.topP())) break;
            }
            if (idx < n && sorted[idx] >= cutoff) cutoff = sorted[idx];
        }
        double total = 0;
        for (double v : z) if (v >= cutoff) total += Math.exp(v - max);
        double target = u * total, cum = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (z[i] < cutoff || Double.isNaN(z[i])) continue;
            cum += Math.exp(z[i] - max);
            last = i;
            if (cum > target) return i;
        }
        return last >= 0 ? last : GreedyDecoder.argmax(logits);
    }

    private static double[] descending(double[] z) {
        double[] s = z.clone();
        Arrays.sort(s);
        for (int i = 0, j = s.length - 1; i < j; i++, j--) {
            double t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }
}
