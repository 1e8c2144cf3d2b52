package paligemma4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.eval.coco.CocoCaptionScorer;
import paligemma4j.eval.coco.CocoImage;
import paligemma4j.eval.coco.KarpathySplit;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.metrics.CiderD;
import paligemma4j.eval.mmvp.MmvpDataset;
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
 * The four benchmarks behind one interface, for the runner and for {@code eval score}: the examples
 * of a split (id, prompt, image) and the scoring of a predictions file. Metrics are returned in
 * percent as the published table shows them, unrounded, plus counts.
 */
public enum Benchmark {
    /** POPE (AoiDragon/POPE question files); prompt placeholder {@code {question}}. */
    POPE("pope", "{question}"),
    /**
     * MMVP (Questions.csv); placeholders {@code {question}}, {@code {options}}. Unconfirmed prompt
     * (docs/eval-protocols.md#mmvp-prompt-and-matching).
     */
    MMVP("mmvp", "{question} {options}"),
    /** COCO captions, Karpathy split; the prompt has no placeholder. */
    COCOCAP("cococap", "caption en"),
    /** RefCOCO/+/g referring-expression segmentation; placeholder {@code {sent}} (the bare expression). */
    REFCOCO("refcoco", "{sent}");

    public final String cliName;
    /** The default prompt template (docs/eval-protocols.md#per-benchmark-settings). */
    public final String defaultPrompt;

    Benchmark(String cliName, String defaultPrompt) {
        this.cliName = cliName;
        this.defaultPrompt = defaultPrompt;
    }

    public static Benchmark byName(String name) {
        for (Benchmark b : values()) if (b.cliName.equals(name)) return b;
        throw new EvalException("benchmark must be pope|mmvp|cococap|refcoco, got '" + name + "'");
    }

    /** The split's examples in protocol order, with prompts from {@code template} (null: {@link #defaultPrompt}). */
    public List<EvalExample> examples(Path dir, ScoreOptions o, String template) {
        String t = template == null ? defaultPrompt : template;
        List<EvalExample> out = new ArrayList<>();
        switch (this) {
            case POPE -> {
                for (PopeQuestion q : PopeDataset.load(dir, o.splitOr("random"))) {
                    out.add(new EvalExample(q.questionId(), t.replace("{question}", q.text()), q.imagePath()));
                }
            }
            case MMVP -> {
                for (MmvpQuestion q : MmvpDataset.load(dir)) {
                    out.add(new EvalExample(q.index(), t.replace("{question}", q.question())
                            .replace("{options}", q.options()), q.imagePath()));
                }
            }
            case COCOCAP -> {
                for (CocoImage im : KarpathySplit.load(dir, o.splitOr("val"))) {
                    out.add(new EvalExample(im.cocoid(), t, im.imagePath()));
                }
            }
            case REFCOCO -> {
                for (RefExample e : RefcocoDataset.load(dir, o.datasetOr(), o.splitOr("val"))) {
                    out.add(new EvalExample(e.sentId(), t.replace("{sent}", e.sent()), e.imagePath()));
                }
            }
        }
        return out;
    }

    /**
     * Scores {@code predictions} against the split: exactly one prediction per example, else an
     * {@link EvalException} naming the id. Returns the metrics (percent) and counts in report order.
     */
    public Map<String, Object> score(Path dir, ScoreOptions o, Predictions predictions) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", cliName);
        switch (this) {
            case POPE -> {
                String split = o.splitOr("random");
                List<PopeQuestion> qs = PopeDataset.load(dir, split);
                List<String> answers = answers(predictions.align(qs.stream().map(PopeQuestion::questionId).toList(),
                        "POPE " + split));
                PopeParser parser = o.popeParserOr();
                PopeScore s = PopeScorer.score(qs, answers, parser);
                r.put("split", split);
                r.put("parser", parser == PopeParser.BIG_VISION ? "big_vision" : "original");
                r.put("accuracy", percent(s.correct(), s.n()));
                r.put("precision", percent(s.truePositives(), s.yes()));
                r.put("recall", percent(s.truePositives(), s.labelYes()));
                r.put("f1", 100 * s.f1());
                r.put("yes_ratio", percent(s.yes(), s.n()));
                r.put("correct", s.correct());
                r.put("n", s.n());
            }
            case MMVP -> {
                List<MmvpQuestion> qs = MmvpDataset.load(dir);
                MmvpScore s = MmvpScorer.score(qs, answers(predictions.align(qs.stream().map(MmvpQuestion::index).toList(),
                        "MMVP")), o.mmvpMatcherOr());
                r.put("pair_accuracy", percent(s.correctPairs(), s.pairs()));
                r.put("question_accuracy", percent(s.correctQuestions(), s.questions()));
                r.put("correct_pairs", s.correctPairs());
                r.put("pairs", s.pairs());
                r.put("n", s.questions());
            }
            case COCOCAP -> {
                String split = o.splitOr("val");
                List<CocoImage> images = KarpathySplit.load(dir, split);
                CiderD.Result s = CocoCaptionScorer.score(images, answers(predictions.align(
                        images.stream().map(CocoImage::cocoid).toList(), "Karpathy " + split)));
                r.put("split", split);
                r.put("cider", 100 * s.score());
                r.put("n", images.size());
            }
            case REFCOCO -> {
                String dataset = o.datasetOr(), split = o.splitOr("val");
                Path vaePath = o.vae() == null ? dir.resolve("vae-oid.npz") : o.vae();
                if (!Files.isRegularFile(vaePath)) throw new EvalException(vaePath + ": VQ-VAE weights not found (--vae)");
                List<RefExample> ex = RefcocoDataset.load(dir, dataset, split);
                List<SegmentationOutput> outs = new ArrayList<>();
                for (Prediction p : predictions.align(ex.stream().map(RefExample::sentId).toList(), dataset + " " + split)) {
                    outs.add(parseSegmentation(p));
                }
                RefcocoScore s = RefcocoScorer.score(ex, outs, VqVaeDecoder.load(vaePath));
                r.put("dataset", dataset);
                r.put("split", split);
                r.put("miou", 100 * s.miou());
                r.put("n", s.n());
                r.put("invalid", s.invalid());
                r.put("boxacc_0.5", 100 * s.boxAccuracy(0.5));
                r.put("boxacc_0.75", 100 * s.boxAccuracy(0.75));
            }
        }
        Integer expected = publishedSize(r);
        int n = ((Number) r.get("n")).intValue();
        if (expected != null && expected != n) {
            r.put("warning", "the published protocol has " + expected + " examples here, this data has " + n);
        }
        return r;
    }

    /**
     * Split sizes behind the published numbers (docs/eval-protocols.md: #pope-data, #mmvp-data, #coco-data,
     * #refcoco-data; confirmed ones only), or null.
     */
    private static Integer publishedSize(Map<String, Object> r) {
        return switch ((String) r.get("benchmark")) {
            case "pope" -> 3000;
            case "mmvp" -> 300;
            case "cococap" -> 5000;
            case "refcoco" -> !"refcoco".equals(r.get("dataset")) ? null : switch ((String) r.get("split")) {
                case "val" -> 10834;
                case "testA" -> 5657;
                case "testB" -> 5095;
                default -> null;
            };
            default -> null;
        };
    }

    /** A RefCOCO line: its {@code tokens} if that is a list of piece strings, else the {@code answer} text. */
    public static SegmentationOutput parseSegmentation(Prediction p) {
        JsonNode tokens = p.line().get("tokens");
        if (tokens != null && tokens.isArray() && !tokens.isEmpty() && tokens.get(0).isTextual()) {
            List<String> pieces = new ArrayList<>();
            for (JsonNode t : tokens) pieces.add(t.asText());
            return SegmentationOutput.parsePieces(pieces);
        }
        return SegmentationOutput.parseText(p.answer());
    }

    private static double percent(int count, int total) {
        return total == 0 ? 0.0 : 100.0 * count / total;
    }

    private static List<String> answers(List<Prediction> ps) {
        return ps.stream().map(Prediction::answer).toList();
    }
}
