package paligemma4j.eval.run;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.Benchmark;

/**
 * The published PaliGemma (v1) numbers (docs/eval-protocols.md#published-numbers: big_vision's
 * {@code configs/proj/paligemma/README.md}, unchanged 2024-05-14 … 2025-05-19) and our suggested
 * tolerances (docs/eval-protocols.md#tolerances).
 */
public final class PublishedNumbers {

    /**
     * One published cell.
     *
     * @param benchmark  the benchmark
     * @param split      the split (POPE random|popular|adversarial, cococap val, RefCOCO val); null for MMVP
     * @param dataset    RefCOCO refcoco|refcoco+|refcocog; null otherwise
     * @param family     checkpoint family: {@code ft-vqav2}, {@code mix}, {@code ft-cococap}, {@code ft-refcoco-seg}
     * @param resolution 224, 448 or 896
     * @param value      the published number (percent, or CIDEr ×100)
     */
    public record Row(Benchmark benchmark, String split, String dataset, String family, int resolution, double value) {
        /** {@code family-resolution}, e.g. {@code mix-224}: the {@code --published-row} spelling. */
        public String name() {
            return family + "-" + resolution;
        }

        /** The Hugging Face repository, e.g. {@code google/paligemma-3b-mix-224}. */
        public String checkpoint() {
            return "google/paligemma-3b-" + name();
        }
    }

    private static final List<Row> ROWS = rows();

    private PublishedNumbers() {}

    private static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        String[] popeSplits = {"random", "popular", "adversarial"};
        double[][] pope = { // ft-vqav2-224, ft-vqav2-448, mix-224, mix-448 × random, popular, adversarial
            {87.80, 85.87, 84.27}, {88.23, 86.77, 85.90}, {88.00, 86.63, 85.67}, {89.37, 88.40, 87.47}};
        String[] families = {"ft-vqav2", "ft-vqav2", "mix", "mix"};
        int[] res = {224, 448, 224, 448};
        double[] mmvp = {47.33, 45.33, 46.00, 45.33};
        for (int c = 0; c < 4; c++) {
            for (int s = 0; s < 3; s++) r.add(new Row(Benchmark.POPE, popeSplits[s], null, families[c], res[c], pope[c][s]));
            r.add(new Row(Benchmark.MMVP, null, null, families[c], res[c], mmvp[c]));
        }
        r.add(new Row(Benchmark.COCOCAP, "val", null, "ft-cococap", 224, 141.92));
        r.add(new Row(Benchmark.COCOCAP, "val", null, "ft-cococap", 448, 144.60));
        String[] datasets = {"refcoco", "refcoco+", "refcocog"};
        double[][] refcoco = {{73.40, 68.32, 67.65}, {75.57, 69.76, 70.17}, {76.94, 72.18, 72.22}};
        int[] refRes = {224, 448, 896};
        for (int c = 0; c < 3; c++) {
            for (int d = 0; d < 3; d++) r.add(new Row(Benchmark.REFCOCO, "val", datasets[d], "ft-refcoco-seg", refRes[c], refcoco[c][d]));
        }
        return List.copyOf(r);
    }

    /** The published cells for this benchmark, split and dataset (any resolution), in table order. */
    public static List<Row> rows(Benchmark b, String split, String dataset) {
        return ROWS.stream().filter(row -> row.benchmark() == b
                && (row.split() == null || row.split().equals(split))
                && (row.dataset() == null || row.dataset().equals(dataset))).toList();
    }

    /** The metric the published table shows: a key of {@link Benchmark#score}'s result. */
    public static String headlineMetric(Benchmark b) {
        return switch (b) {
            case POPE -> "accuracy";
            case MMVP -> "pair_accuracy";
            case COCOCAP -> "cider";
            case REFCOCO -> "miou";
        };
    }

    /**
     * Our suggested end-to-end tolerance (docs/eval-protocols.md#tolerances; not from a source): POPE 0.2, MMVP 1
     * pair, CIDEr 0.5, mIoU 0.2.
     */
    public static double tolerance(Benchmark b) {
        return switch (b) {
            case POPE, REFCOCO -> 0.2;
            case MMVP -> 100.0 / 150;
            case COCOCAP -> 0.5;
        };
    }
}
