package paligemma4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.coco.CocoCaptionScorer;
import paligemma4j.eval.coco.CocoImage;
import paligemma4j.eval.coco.KarpathySplit;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;
import paligemma4j.eval.metrics.CiderD;
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
import paligemma4j.eval.refcoco.VqVaeDecoder;

/**
 * {@code paligemma eval score BENCH --data DIR --predictions FILE.jsonl [--split S] [--dataset D] [--vae F] --json}:
 * scores a predictions file (lines {@code {"id": ..., "answer": ...}}) exactly as the runner does.
 * Prints one JSON object; metrics are percentages as in the published table, unrounded.
 * A missing, duplicated or unknown id fails with one line naming it.
 */
public final class EvalScoreCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() { return "eval"; }

    public String summary() { return "eval score BENCH: score a predictions file (pope|mmvp|cococap|refcoco)"; }

    public Args.Spec spec() {
        return new Args.Spec("score pope|mmvp|cococap|refcoco --data DIR --predictions FILE.jsonl [options] [--json]")
                .positional("score", "the word 'score'")
                .positional("BENCH", "pope | mmvp | cococap | refcoco")
                .option("data", "DIR", "benchmark data directory (files as distributed)", null)
                .option("predictions", "FILE", "JSONL, one {\"id\": ..., \"answer\": \"...\"} per line", null)
                .option("split", "S", "pope: random|popular|adversarial; cococap: val|test; refcoco: val|testA|testB|test", null)
                .option("dataset", "D", "refcoco: refcoco|refcoco+|refcocog", "refcoco")
                .option("vae", "FILE", "refcoco: VQ-VAE weights (default DIR/vae-oid.npz)", null)
                .option("pope-parser", "P", "pope: big_vision (published protocol) | original (POPE repo's evaluate.py)", "big_vision")
                .option("mmvp-match", "RULES", "mmvp: comma list of letter,option,prefix (spec §3.3)", "letter,option,prefix")
                .flag("json", "print exactly one JSON object");
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        if (!args.positional(0).equals("score")) {
            throw new UsageException("unknown eval action '" + args.positional(0) + "' (this build has: eval score)");
        }
        String bench = args.positional(1);
        Path dir = Path.of(args.require("data"));
        if (!Files.isDirectory(dir)) throw new UsageException("--data: no such directory: " + dir);
        Predictions preds = Predictions.read(args.existingFile("predictions"));
        ObjectNode result = JSON.createObjectNode();
        result.put("benchmark", bench);
        switch (bench) {
            case "pope" -> pope(args, dir, preds, result);
            case "mmvp" -> mmvp(args, dir, preds, result);
            case "cococap" -> cococap(args, dir, preds, result);
            case "refcoco" -> refcoco(args, dir, preds, result);
            default -> throw new UsageException("BENCH must be pope|mmvp|cococap|refcoco, got '" + bench + "'");
        }
        if (args.flag("json")) {
            out.println(JSON.writeValueAsString(result));
        } else {
            StringBuilder sb = new StringBuilder();
            result.fields().forEachRemaining(e -> sb.append(sb.isEmpty() ? "" : "  ").append(e.getKey()).append('=')
                    .append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            out.println(sb);
        }
        return 0;
    }

    private static void pope(Args args, Path dir, Predictions preds, ObjectNode r) {
        String split = args.get("split") == null ? "random" : args.get("split");
        PopeParser parser;
        try {
            parser = PopeParser.byName(args.get("pope-parser"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pope-parser: " + e.getMessage());
        }
        List<PopeQuestion> qs = PopeDataset.load(dir, split);
        List<Long> ids = qs.stream().map(PopeQuestion::questionId).toList();
        List<String> answers = answers(preds.align(ids, "POPE " + split));
        PopeScore s = PopeScorer.score(qs, answers, parser);
        r.put("split", split);
        r.put("parser", parser == PopeParser.BIG_VISION ? "big_vision" : "original");
        r.put("accuracy", 100 * s.accuracy());
        r.put("precision", 100 * s.precision());
        r.put("recall", 100 * s.recall());
        r.put("f1", 100 * s.f1());
        r.put("yes_ratio", 100 * s.yesRatio());
        r.put("correct", s.correct());
        r.put("n", s.n());
    }

    private static void mmvp(Args args, Path dir, Predictions preds, ObjectNode r) {
        List<String> rules = List.of(args.get("mmvp-match").split(","));
        for (String rule : rules) {
            if (!List.of("letter", "option", "prefix").contains(rule.strip())) {
                throw new UsageException("--mmvp-match: unknown rule '" + rule + "' (letter,option,prefix)");
            }
        }
        MmvpMatcher matcher = new MmvpMatcher(rules.contains("letter"), rules.contains("option"), rules.contains("prefix"));
        List<MmvpQuestion> qs = MmvpDataset.load(dir);
        List<Long> ids = qs.stream().map(MmvpQuestion::index).toList();
        MmvpScore s = MmvpScorer.score(qs, answers(preds.align(ids, "MMVP")), matcher);
        r.put("pair_accuracy", 100 * s.pairAccuracy());
        r.put("question_accuracy", 100 * s.questionAccuracy());
        r.put("correct_pairs", s.correctPairs());
        r.put("pairs", s.pairs());
        r.put("n", s.questions());
    }

    private static void cococap(Args args, Path dir, Predictions preds, ObjectNode r) {
        String split = args.get("split") == null ? "val" : args.get("split");
        List<CocoImage> images = KarpathySplit.load(dir, split);
        List<Long> ids = images.stream().map(CocoImage::cocoid).toList();
        CiderD.Result s = CocoCaptionScorer.score(images, answers(preds.align(ids, "Karpathy " + split)));
        r.put("split", split);
        r.put("cider", 100 * s.score());
        r.put("n", images.size());
    }

    private static void refcoco(Args args, Path dir, Predictions preds, ObjectNode r) {
        String dataset = args.get("dataset");
        String split = args.get("split") == null ? "val" : args.get("split");
        Path vaePath = args.get("vae") == null ? dir.resolve("vae-oid.npz") : Path.of(args.get("vae"));
        if (!Files.isRegularFile(vaePath)) throw new UsageException("--vae: no such file: " + vaePath);
        List<RefExample> examples = RefcocoDataset.load(dir, dataset, split);
        List<Long> ids = examples.stream().map(RefExample::sentId).toList();
        List<Prediction> aligned = preds.align(ids, dataset + " " + split);
        List<SegmentationOutput> outputs = new ArrayList<>(aligned.size());
        for (Prediction p : aligned) outputs.add(parse(p));
        RefcocoScore s = RefcocoScorer.score(examples, outputs, VqVaeDecoder.load(vaePath));
        r.put("dataset", dataset);
        r.put("split", split);
        r.put("miou", 100 * s.miou());
        r.put("n", s.n());
        r.put("invalid", s.invalid());
    }

    /** The line's {@code tokens} (a list of piece strings) if present, else the {@code answer} text. */
    static SegmentationOutput parse(Prediction p) {
        JsonNode tokens = p.line().get("tokens");
        if (tokens != null && tokens.isArray() && !tokens.isEmpty() && tokens.get(0).isTextual()) {
            List<String> pieces = new ArrayList<>();
            for (JsonNode t : tokens) pieces.add(t.asText());
            return SegmentationOutput.parsePieces(pieces);
        }
        return SegmentationOutput.parseText(p.answer());
    }

    private static List<String> answers(List<Prediction> ps) {
        return ps.stream().map(Prediction::answer).toList();
    }
}
