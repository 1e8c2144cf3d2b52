package paligemma4j.eval.run;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.Benchmark;

/**
 * The published PaliGemma and PaliGemma 2 numbers (docs/eval-protocols.md#published-numbers) and our suggested
 * tolerances (docs/eval-protocols.md#tolerances). Each cell carries the document and table it was copied from.
 */
public final class PublishedNumbers {

    /** Where a number was published: the model generation, the document's address and the table in it. */
    public record Source(String model, String url, String table) {}

    /**
     * One published cell.
     *
     * @param benchmark  the benchmark
     * @param split      the split (POPE random|popular|adversarial, cococap val, RefCOCO val|testA|testB|test); null for MMVP
     * @param dataset    RefCOCO refcoco|refcoco+|refcocog; null otherwise
     * @param name       the {@code --published-row} spelling, e.g. {@code mix-224} or {@code pg2-10b-448}
     * @param checkpoint the checkpoint behind the number, e.g. {@code google/paligemma-3b-mix-224}
     * @param resolution 224, 448 or 896
     * @param value      the published number (percent, or CIDEr ×100)
     * @param source     where it was published
     */
    public record Row(Benchmark benchmark, String split, String dataset, String name, String checkpoint, int resolution,
                      double value, Source source) {}

    private static final String BV_README =
            "https://github.com/google-research/big_vision/blob/main/big_vision/configs/proj/paligemma/README.md";
    /** PaliGemma (v1): big_vision's README, tables unchanged 2024-05-14 … 2025-05-19. */
    static final String PALIGEMMA = "PaliGemma";
    /** PaliGemma 2: the report's Table 13, mean of 5 fine-tuning runs of each pretrained checkpoint. */
    static final String PALIGEMMA_2 = "PaliGemma 2";
    private static final Source PG2_TABLE_13 = new Source(PALIGEMMA_2, "https://arxiv.org/abs/2412.03555v1",
            "Table 13 (mean of 5 fine-tuning runs)");
    /** Each generation's source as the report names it where it publishes nothing for a benchmark. */
    private static final List<Source> GENERATIONS = List.of(
            new Source(PALIGEMMA, BV_README, "Transfers results and checkpoints; Mix model"), PG2_TABLE_13);

    private static final List<Row> ROWS = rows();

    private PublishedNumbers() {}

    private static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        paligemma(r);
        paligemma2(r);
        return List.copyOf(r);
    }

    private static void paligemma(List<Row> r) {
        Source qa = new Source(PALIGEMMA, BV_README, "Transfers results: Question Answering (eval of VQAv2 transfer)");
        Source mix = new Source(PALIGEMMA, BV_README, "Mix model");
        String[] popeSplits = {"random", "popular", "adversarial"};
        double[][] pope = { // ft-vqav2-224, ft-vqav2-448, mix-224, mix-448 × random, popular, adversarial
            {87.80, 85.87, 84.27}, {88.23, 86.77, 85.90}, {88.00, 86.63, 85.67}, {89.37, 88.40, 87.47}};
        String[] families = {"ft-vqav2", "ft-vqav2", "mix", "mix"};
        int[] res = {224, 448, 224, 448};
        double[] mmvp = {47.33, 45.33, 46.00, 45.33};
        for (int c = 0; c < 4; c++) {
            Source s = c < 2 ? qa : mix;
            for (int i = 0; i < 3; i++) r.add(pg1(Benchmark.POPE, popeSplits[i], null, families[c], res[c], pope[c][i], s));
            r.add(pg1(Benchmark.MMVP, null, null, families[c], res[c], mmvp[c], s));
        }
        Source cap = new Source(PALIGEMMA, BV_README, "Transfers results: Captioning");
        r.add(pg1(Benchmark.COCOCAP, "val", null, "ft-cococap", 224, 141.92, cap));
        r.add(pg1(Benchmark.COCOCAP, "val", null, "ft-cococap", 448, 144.60, cap));
        Source seg = new Source(PALIGEMMA, BV_README, "Transfers results: Segmentation");
        String[] datasets = {"refcoco", "refcoco+", "refcocog"};
        double[][] refcoco = {{73.40, 68.32, 67.65}, {75.57, 69.76, 70.17}, {76.94, 72.18, 72.22}};
        int[] refRes = {224, 448, 896};
        for (int c = 0; c < 3; c++) {
            for (int d = 0; d < 3; d++) r.add(pg1(Benchmark.REFCOCO, "val", datasets[d], "ft-refcoco-seg", refRes[c], refcoco[c][d], seg));
        }
    }

    private static Row pg1(Benchmark b, String split, String dataset, String family, int res, double v, Source s) {
        String name = family + "-" + res;
        return new Row(b, split, dataset, name, "google/paligemma-3b-" + name, res, v, s);
    }

    /** Table 13 of the PaliGemma 2 report: columns 224 px 3B, 10B, 28B, then 448 px 3B, 10B, 28B. */
    private static void paligemma2(List<Row> r) {
        pg2(r, Benchmark.COCOCAP, "val", null, 141.3, 143.7, 144.0, 143.4, 145.0, 145.2);
        pg2(r, Benchmark.REFCOCO, "val", "refcoco", 73.4, 75.9, 75.0, 76.3, 78.2, 77.3);
        pg2(r, Benchmark.REFCOCO, "testA", "refcoco", 75.7, 77.2, 76.8, 78.6, 79.7, 79.3);
        pg2(r, Benchmark.REFCOCO, "testB", "refcoco", 71.0, 74.2, 73.9, 73.5, 76.2, 74.8);
        pg2(r, Benchmark.REFCOCO, "val", "refcoco+", 68.6, 72.0, 70.3, 72.1, 74.4, 72.8);
        pg2(r, Benchmark.REFCOCO, "testA", "refcoco+", 72.7, 74.7, 73.6, 76.1, 77.7, 76.6);
        pg2(r, Benchmark.REFCOCO, "testB", "refcoco+", 64.2, 68.4, 67.1, 67.0, 71.1, 68.6);
        pg2(r, Benchmark.REFCOCO, "val", "refcocog", 68.3, 71.4, 70.5, 72.3, 74.4, 73.0);
        pg2(r, Benchmark.REFCOCO, "test", "refcocog", 69.0, 71.9, 70.7, 72.7, 74.8, 73.7);
    }

    private static void pg2(List<Row> r, Benchmark b, String split, String dataset, double... cells) {
        String[] sizes = {"3b", "10b", "28b"};
        for (int i = 0; i < cells.length; i++) {
            int res = i < 3 ? 224 : 448;
            String size = sizes[i % 3];
            r.add(new Row(b, split, dataset, "pg2-" + size + "-" + res,
                    "google/paligemma2-" + size + "-pt-" + res + " fine-tuned", res, cells[i], PG2_TABLE_13));
        }
    }

    /** The published cells for this benchmark, split and dataset (any resolution), in table order. */
    public static List<Row> rows(Benchmark b, String split, String dataset) {
        return ROWS.stream().filter(row -> row.benchmark() == b
                && (row.split() == null || row.split().equals(split))
                && (row.dataset() == null || row.dataset().equals(dataset))).toList();
    }

    /** The generations whose source publishes no number for this benchmark, split, dataset and resolution. */
    public static List<Source> notPublished(Benchmark b, String split, String dataset, int resolution) {
        List<Row> rows = rows(b, split, dataset);
        return GENERATIONS.stream().filter(g -> rows.stream()
                .noneMatch(row -> row.source().model().equals(g.model()) && row.resolution() == resolution)).toList();
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
