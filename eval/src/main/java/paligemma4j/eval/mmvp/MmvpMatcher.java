package paligemma4j.eval.mmvp;

import java.util.Locale;

/**
 * Decides whether a free-form answer to an MMVP question is correct
 * (docs/eval-protocols.md#mmvp-prompt-and-matching, unconfirmed: no released evaluator). The answer is lower-cased
 * and trimmed; it is correct if any enabled rule holds:
 *
 * @param letter     the answer equals the correct letter with or without parentheses ({@code a}, {@code (a)})
 * @param optionText the answer equals the correct option's text ({@code open})
 * @param letterPrefix the answer starts with the parenthesised correct letter followed by text ({@code (a) open})
 */
public record MmvpMatcher(boolean letter, boolean optionText, boolean letterPrefix) {
    /** All three rules: our reconstruction. */
    public static final MmvpMatcher DEFAULT = new MmvpMatcher(true, true, true);

    public boolean isCorrect(MmvpQuestion q, String answer) {
        String a = answer.toLowerCase(Locale.ROOT).strip();
        String l = q.correctLetter();
        if (letter && (a.equals(l) || a.equals("(" + l + ")"))) return true;
        if (optionText) {
            String text = q.optionText(l);
            if (text != null && !text.isEmpty() && a.equals(text.toLowerCase(Locale.ROOT))) return true;
        }
        return letterPrefix && a.startsWith("(" + l + ")") && a.length() > l.length() + 2;
    }
}
