package paligemma4j.eval.mmvp;

import java.nio.file.Path;

/**
 * One row of MMVP's {@code Questions.csv}.
 *
 * @param index         {@code Index} (1..300): the prediction id; rows (1,2), (3,4), ... are pairs
 * @param question      {@code Question}
 * @param options       {@code Options}, e.g. {@code (a) Open (b) Closed}
 * @param correctAnswer {@code Correct Answer}, e.g. {@code (a)}
 * @param imagePath     {@code DIR/MMVP Images/<index>.jpg}
 */
public record MmvpQuestion(long index, String question, String options, String correctAnswer, Path imagePath) {

    /** The correct letter without parentheses, lower case ({@code a}). */
    public String correctLetter() {
        String s = correctAnswer.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("(") && s.endsWith(")")) s = s.substring(1, s.length() - 1).trim();
        return s;
    }

    /** The text of option {@code letter} from {@link #options}, trimmed, or null if absent. */
    public String optionText(String letter) {
        String lower = options.toLowerCase(java.util.Locale.ROOT);
        String open = "(" + letter + ")";
        int at = lower.indexOf(open);
        if (at < 0) return null;
        int from = at + open.length();
        int next = lower.indexOf("(", from);
        while (next >= 0 && !(next + 2 < lower.length() && lower.charAt(next + 2) == ')'
                && Character.isLetter(lower.charAt(next + 1)))) {
            next = lower.indexOf("(", next + 1);
        }
        return options.substring(from, next < 0 ? options.length() : next).trim();
    }
}
