package paligemma4j.eval.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D exactly as pycocoevalcap 1.2 {@code cider_scorer.py} computes it, on already tokenized
 * strings: n = 1..4, words from Python's {@code str.split()}, tf-idf weight
 * {@code count · (ln|I| − ln max(1, df))} with df over the references of the evaluated images only,
 * clipped numerator {@code min(w_c, w_r)·w_r} over unclipped norms, Gaussian length penalty on
 * bigram counts with σ = 6, mean over n, mean over references, × 10, mean over images.
 * Iteration and summation orders follow the Python code (dict insertion order).
 */
public final class CiderD {
    public static final int N = 4;
    public static final double SIGMA = 6.0;

    /**
     * @param score    corpus score (the mean of {@code perImage}); pycocoevalcap's value, ×100 for reporting
     * @param perImage the score of each image, in input order
     */
    public record Result(double score, double[] perImage) {}

    private CiderD() {}

    /** {@code hypotheses.get(i)} is scored against {@code references.get(i)} (at least one each). */
    public static Result compute(List<String> hypotheses, List<List<String>> references) {
        int images = references.size();
        if (hypotheses.size() != images) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses for " + images + " images");
        }
        // document frequency: in how many images some reference contains the n-gram
        Map<String, Integer> df = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Integer>>[] cookedRefs = new List[images];
        for (int i = 0; i < images; i++) {
            List<String> refs = references.get(i);
            if (refs.isEmpty()) throw new IllegalArgumentException("image " + i + " has no reference");
            Set<String> inImage = new HashSet<>();
            List<Map<String, Integer>> cooked = new java.util.ArrayList<>(refs.size());
            for (String r : refs) {
                Map<String, Integer> c = ngramCounts(r);
                cooked.add(c);
                inImage.addAll(c.keySet());
            }
            cookedRefs[i] = cooked;
            for (String g : inImage) df.merge(g, 1, Integer::sum);
        }
        double logImages = Math.log((double) images);
        double[] perImage = new double[images];
        double sum = 0;
        for (int i = 0; i < images; i++) {
            Vec hyp = vectorize(ngramCounts(hypotheses.get(i)), df, logImages);
            double[] score = new double[N];
            for (Map<String, Integer> refCounts : cookedRefs[i]) {
                Vec ref = vectorize(refCounts, df, logImages);
                double[] s = similarity(hyp, ref);
                for (int n = 0; n < N; n++) score[n] += s[n];
            }
            double mean = 0;
            for (int n = 0; n < N; n++) mean += score[n];
            mean /= N;
            mean /= cookedRefs[i].size();
            mean *= 10.0;
            perImage[i] = mean;
            sum += mean;
        }
        return new Result(images == 0 ? Double.NaN : sum / images, perImage);
    }

    /** n-gram counts of a sentence, n = 1..4, keys are words joined by ' ', in Python's insertion order. */
    static Map<String, Integer> ngramCounts(String sentence) {
        List<String> words = PyStrings.split(sentence);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int k = 1; k <= N; k++) {
            for (int i = 0; i + k <= words.size(); i++) {
                counts.merge(String.join(" ", words.subList(i, i + k)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** tf-idf vectors per order, their norms, and the bigram count used as length. */
    private record Vec(List<LinkedHashMap<String, Double>> w, double[] norm, int length) {}

    private static Vec vectorize(Map<String, Integer> counts, Map<String, Integer> df, double logImages) {
        List<LinkedHashMap<String, Double>> w = new java.util.ArrayList<>(N);
        for (int n = 0; n < N; n++) w.add(new LinkedHashMap<>());
        double[] norm = new double[N];
        int length = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            String g = e.getKey();
            int n = order(g) - 1;
            double idf = logImages - Math.log(Math.max(1.0, df.getOrDefault(g, 0)));
            double v = e.getValue() * idf;
            w.get(n).put(g, v);
            norm[n] += v * v;
            if (n == 1) length += e.getValue();
        }
        for (int n = 0; n < N; n++) norm[n] = Math.sqrt(norm[n]);
        return new Vec(w, norm, length);
    }

    private static double[] similarity(Vec hyp, Vec ref, double sigma) {
        double delta = hyp.length - ref.length;
        double[] val = new double[N];
        for (int n = 0; n < N; n++) {
            Map<String, Double> r = ref.w.get(n);
            for (Map.Entry<String, Double> e : hyp.w.get(n).entrySet()) {
                double rv = r.getOrDefault(e.getKey(), 0.0);
                val[n] += Math.min(e.getValue(), rv) * rv;
            }
            if (hyp.norm[n] != 0 && ref.norm[n] != 0) val[n] /= hyp.norm[n] * ref.norm[n];
            val[n] *= Math.pow(Math.E, -(delta * delta) / (2 * sigma * sigma));
        }
        return val;
    }

    private static double[] similarity(Vec hyp, Vec ref) {
        return similarity(hyp, ref, SIGMA);
    }

    private static int order(String ngram) {
        int spaces = 0;
        for (int i = 0; i < ngram.length(); i++) if (ngram.charAt(i) == ' ') spaces++;
        return spaces + 1;
    }
}
