package paligemma4j.eval.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;
import paligemma4j.eval.ScoreOptions;
import paligemma4j.eval.coco.CocoCaptionScorer;
import paligemma4j.eval.coco.CocoImage;
import paligemma4j.eval.coco.KarpathySplit;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.mmvp.MmvpDataset;
import paligemma4j.eval.mmvp.MmvpMatcher;
import paligemma4j.eval.mmvp.MmvpQuestion;
import paligemma4j.eval.mmvp.MmvpScore;
import paligemma4j.eval.mmvp.MmvpScorer;
import paligemma4j.eval.pope.PopeDataset;
import paligemma4j.eval.pope.PopeParser;
import paligemma4j.eval.pope.PopeQuestion;
import paligemma4j.eval.pope.PopeScore;
import paligemma4j.eval.pope.PopeScorer;
import paligemma4j.eval.refcoco.RefExample;
import paligemma4j.eval.refcoco.RefcocoDataset;
import paligemma4j.eval.refcoco.RefcocoScore;
import paligemma4j.eval.refcoco.RefcocoScorer;
import paligemma4j.eval.refcoco.SegmentationOutput;
import paligemma4j.model.output.VqVaeDecoder;

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
        return scoreSubset(b, data, o, new HashSet<>(examples.stream().map(EvalExample::id).toList()), predictions);
    }

    /**
     * Scores the examples of the split whose ids are in {@code ids} (split order) with the
     * per-benchmark scorers, marked {@code "partial": true}. MMVP scores whole pairs only: a pair with
     * one question outside {@code ids} is left out and counted as {@code "incomplete_pairs"}.
     */
    public static Map<String, Object> scoreSubset(Benchmark b, Path data, ScoreOptions o, Set<Long> ids,
                                                  Predictions predictions) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", b.cliName);
        int n;
        switch (b) {
            case POPE -> {
                PopeParser parser = o.popeParser() == null ? PopeParser.BIG_VISION : o.popeParser();
                List<PopeQuestion> qs = PopeDataset.load(data, o.split()).stream().filter(q -> ids.contains(q.questionId())).toList();
                n = qs.size();
                PopeScore s = PopeScorer.score(qs, answers(predictions, qs.stream().map(PopeQuestion::questionId).toList()), parser);
                r.put("split", o.split());
                r.put("accuracy", 100.0 * s.correct() / n);
                r.put("yes_ratio", 100.0 * s.yes() / n);
                r.put("correct", s.correct());
            }
            case MMVP -> {
                MmvpMatcher m = o.mmvpMatcher() == null ? MmvpMatcher.DEFAULT : o.mmvpMatcher();
                List<MmvpQuestion> all = MmvpDataset.load(data), qs = new ArrayList<>();
                int incomplete = 0;
                for (int i = 0; i + 1 < all.size(); i += 2) {
                    boolean first = ids.contains(all.get(i).index()), second = ids.contains(all.get(i + 1).index());
                    if (first && second) {
                        qs.add(all.get(i));
                        qs.add(all.get(i + 1));
                    } else if (first || second) {
                        incomplete++;
                    }
                }
                n = qs.size();
                MmvpScore s = MmvpScorer.score(qs, answers(predictions, qs.stream().map(MmvpQuestion::index).toList()), m);
                r.put("pair_accuracy", 100.0 * s.correctPairs() / s.pairs());
                r.put("question_accuracy", 100.0 * s.correctQuestions() / s.questions());
                r.put("correct_pairs", s.correctPairs());
                r.put("pairs", s.pairs());
                if (incomplete > 0) r.put("incomplete_pairs", incomplete);
            }
            case COCOCAP -> {
                List<CocoImage> images = KarpathySplit.load(data, o.split()).stream().filter(im -> ids.contains(im.cocoid())).toList();
                n = images.size();
                r.put("split", o.split());
                r.put("cider", 100 * CocoCaptionScorer.score(images, answers(predictions,
                        images.stream().map(CocoImage::cocoid).toList())).score());
            }
            case REFCOCO -> {
                Path vae = o.vae() == null ? data.resolve("vae-oid.npz") : o.vae();
                if (!Files.isRegularFile(vae)) throw new EvalException(vae + ": VQ-VAE weights not found (--vae)");
                List<RefExample> ex = RefcocoDataset.load(data, o.dataset(), o.split()).stream()
                        .filter(e -> ids.contains(e.sentId())).toList();
                n = ex.size();
                List<SegmentationOutput> outs = new ArrayList<>();
                for (long id : ex.stream().map(RefExample::sentId).toList()) outs.add(Benchmark.parseSegmentation(predictions.byId().get(id)));
                RefcocoScore s = RefcocoScorer.score(ex, outs, VqVaeDecoder.load(vae));
                r.put("dataset", o.dataset());
                r.put("split", o.split());
                r.put("miou", 100 * s.miou());
                r.put("invalid", s.invalid());
            }
            default -> throw new IllegalStateException(b.toString());
        }
        r.put("n", n);
        r.put("partial", true);
        return r;
    }

    private static List<String> answers(Predictions predictions, List<Long> ids) {
        return ids.stream().map(id -> {
            Prediction p = predictions.byId().get(id);
            if (p == null) throw new EvalException(predictions.file() + ": no prediction for id " + id);
            return p.answer();
        }).toList();
    }
}
