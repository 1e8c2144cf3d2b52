package paligemma4j.eval.mmvp;

/**
 * MMVP result.
 *
 * @param questions       questions scored
 * @param correctQuestions questions answered correctly
 * @param pairs           pairs (consecutive rows)
 * @param correctPairs    pairs with both questions correct
 * @param perQuestion     correctness of each question, in file order
 */
public record MmvpScore(int questions, int correctQuestions, int pairs, int correctPairs, boolean[] perQuestion) {
    /** The published metric: correct pairs / pairs. */
    public double pairAccuracy() {
        return pairs == 0 ? 0.0 : (double) correctPairs / pairs;
    }

    public double questionAccuracy() {
        return questions == 0 ? 0.0 : (double) correctQuestions / questions;
    }
}
