package paligemma4j.eval.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.coco.CocoCaptionScorer;
import paligemma4j.eval.coco.KarpathySplit;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.mmvp.MmvpDataset;
import paligemma4j.eval.mmvp.MmvpMatcher;
import paligemma4j.eval.mmvp.MmvpScore;
import paligemma4j.eval.mmvp.MmvpScorer;
import paligemma4j.eval.pope.PopeDataset;
import paligemma4j.eval.pope.PopeParser;
import paligemma4j.eval.pope.PopeScore;
import paligemma4j.eval.pope.PopeScorer;
import paligemma4j.eval.refcoco.RefcocoDataset;
import paligemma4j.eval.refcoco.RefcocoScore;
import paligemma4j.eval.refcoco.RefcocoScorer;
import paligemma4j.eval.refcoco.SegmentationOutput;
import paligemma4j.eval.refcoco.VqVaeDecoder;

/**
 * Scores a run's predictions file. A complete run goes through {@link Benchmark#score}, the code
 * behind {@code eval score}, so the report and {@code eval score} agree to the last digit. A
 * {@code --limit} run covers only the first n examples of the split: it is scored with the same
 * per-benchmark scorers on those n examples (CIDEr's document frequencies then come from their
 * references only) and marked {@code "partial": true}: not comparable to the published number.
 */
public final class RunScoring {
    private RunScoring() {}

    /**
     * @param examples  the run's examples (the first {@code examples.size()} of the split)
     * @param splitSize the split's full size
     */
    public static Map<String, Object> score(Benchmark b, Path data, ScoreOptions o, List<EvalExample> examples,
                                            int splitSize, Path predictionsFile) {
        Predictions predictions = Predictions.read(predictionsFile);
        if (examples.size() == splitSize) {
            Map<String, Object> r = new LinkedHashMap<>(b.score(data, o, predictions));
            r.put("partial", false);
            return r;
        }
        int n = examples.size();
        List<Prediction> aligned = predictions.align(examples.stream().map(EvalExample::id).toList(),
                "the first " + n + " examples of the split");
        List<String> answers = aligned.stream().map(Prediction::answer).toList();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", b.cliName);
        switch (b) {
            case POPE -> {
                PopeParser parser = o.popeParser() == null ? PopeParser.BIG_VISION : o.popeParser();
                PopeScore s = PopeScorer.score(PopeDataset.load(data, o.split()).subList(0, n), answers, parser);
                r.put("split", o.split());
                r.put("accuracy", 100.0 * s.correct() / n);
                r.put("yes_ratio", 100.0 * s.yes() / n);
                r.put("correct", s.correct());
            }
            case MMVP -> {
                MmvpMatcher m = o.mmvpMatcher() == null ? MmvpMatcher.DEFAULT : o.mmvpMatcher();
                MmvpScore s = MmvpScorer.score(MmvpDataset.load(data).subList(0, n), answers, m);
                r.put("pair_accuracy", 100.0 * s.correctPairs() / s.pairs());
                r.put("question_accuracy", 100.0 * s.correctQuestions() / s.questions());
                r.put("correct_pairs", s.correctPairs());
                r.put("pairs", s.pairs());
            }
            case COCOCAP -> {
                r.put("split", o.split());
                r.put("cider", 100 * CocoCaptionScorer.score(KarpathySplit.load(data, o.split()).subList(0, n), answers).score());
            }
            case REFCOCO -> {
                Path vae = o.vae() == null ? data.resolve("vae-oid.npz") : o.vae();
                if (!Files.isRegularFile(vae)) throw new EvalException(vae + ": VQ-VAE weights not found (--vae)");
                List<SegmentationOutput> outs = new ArrayList<>();
                for (Prediction p : aligned) outs.add(Benchmark.parseSegmentation(p));
                RefcocoScore s = RefcocoScorer.score(RefcocoDataset.load(data, o.dataset(), o.split()).subList(0, n),
                        outs, VqVaeDecoder.load(vae));
                r.put("dataset", o.dataset());
                r.put("split", o.split());
                r.put("miou", 100 * s.miou());
                r.put("invalid", s.invalid());
            }
        }
        r.put("n", n);
        r.put("partial", true);
        return r;
    }
}
