package paligemma4j.eval.pope;

import java.util.List;

/** Scores POPE answers against the labels of the same questions. */
public final class PopeScorer {
    private PopeScorer() {}

    /** {@code answers.get(i)} is the generated text for {@code questions.get(i)}. */
    public static PopeScore score(List<PopeQuestion> questions, List<String> answers, PopeParser parser) {
        if (questions.size() != answers.size()) {
            throw new IllegalArgumentException(questions.size() + " questions but " + answers.size() + " answers");
        }
        int correct = 0, yes = 0, tp = 0, labelYes = 0;
        for (int i = 0; i < questions.size(); i++) {
            boolean labelIsYes = questions.get(i).label().equals("yes");
            Boolean pred = parser.parse(answers.get(i));
            if (labelIsYes) labelYes++;
            if (pred != null && pred == labelIsYes) correct++;
            if (Boolean.TRUE.equals(pred)) {
                yes++;
                if (labelIsYes) tp++;
            }
        }
        return new PopeScore(questions.size(), correct, yes, tp, labelYes);
    }
}
