package paligemma4j.eval.mmvp;

import java.util.List;

/** MMVP pair accuracy: rows (1,2), (3,4), ... form pairs; a pair counts only if both are correct. */
public final class MmvpScorer {
    private MmvpScorer() {}

    public static MmvpScore score(List<MmvpQuestion> questions, List<String> answers, MmvpMatcher matcher) {
        if (questions.size() != answers.size()) {
            throw new IllegalArgumentException(questions.size() + " questions but " + answers.size() + " answers");
        }
        if (questions.size() % 2 != 0) throw new IllegalArgumentException("MMVP needs an even number of questions");
        boolean[] ok = new boolean[questions.size()];
        int correct = 0, pairs = 0;
        for (int i = 0; i < ok.length; i++) {
            ok[i] = matcher.isCorrect(questions.get(i), answers.get(i));
            if (ok[i]) correct++;
        }
        for (int i = 0; i < ok.length; i += 2) if (ok[i] && ok[i + 1]) pairs++;
        return new MmvpScore(ok.length, correct, ok.length / 2, pairs, ok);
    }
}
