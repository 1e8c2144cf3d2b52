package paligemma4j.eval.pope;

/**
 * POPE metrics of one split as fractions in [0, 1] ("yes" is the positive class).
 *
 * @param n        questions scored
 * @param correct  answers whose parsed value equals the label
 * @param yes      answers parsed as yes
 * @param truePositives answers parsed as yes whose label is yes
 * @param labelYes questions labelled yes
 */
public record PopeScore(int n, int correct, int yes, int truePositives, int labelYes) {
    public double accuracy() {
        return ratio(correct, n);
    }

    /** TP / (answers parsed as yes); 0 when there are none. */
    public double precision() {
        return ratio(truePositives, yes);
    }

    /** TP / (questions labelled yes); 0 when there are none. */
    public double recall() {
        return ratio(truePositives, labelYes);
    }

    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
    }

    /** Share of answers parsed as yes. */
    public double yesRatio() {
        return ratio(yes, n);
    }

    private static double ratio(int a, int b) {
        return b == 0 ? 0.0 : (double) a / b;
    }
}
