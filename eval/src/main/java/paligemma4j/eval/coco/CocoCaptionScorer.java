package paligemma4j.eval.coco;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.metrics.CaptionTokenizer;
import paligemma4j.eval.metrics.CiderD;

/**
 * COCO-caption CIDEr-D as big_vision's evaluator gets it from pycocoevalcap: references and
 * hypotheses are PTB-tokenized in two separate runs (images in split order), punctuation removed,
 * then {@link CiderD} over exactly these images.
 */
public final class CocoCaptionScorer {
    private CocoCaptionScorer() {}

    /** {@code hypotheses.get(i)} is the raw generated caption of {@code images.get(i)}. */
    public static CiderD.Result score(List<CocoImage> images, List<String> hypotheses) {
        List<List<String>> refs = new ArrayList<>();
        for (CocoImage im : images) refs.add(im.references());
        return scoreRaw(refs, hypotheses);
    }

    /** The same on raw reference lists. */
    public static CiderD.Result scoreRaw(List<List<String>> rawReferences, List<String> rawHypotheses) {
        List<List<String>> refs = CaptionTokenizer.tokenize(rawReferences);
        for (int i = 0; i < refs.size(); i++) {
            if (refs.get(i).isEmpty()) {
                throw new EvalException("PTB tokenizer output has too few lines: image " + i + " lost its references");
            }
        }
        List<String> hyps = CaptionTokenizer.tokenizeHypotheses(rawHypotheses);
        return CiderD.compute(hyps, refs);
    }
}
