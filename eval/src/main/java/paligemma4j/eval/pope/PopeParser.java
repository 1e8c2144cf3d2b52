package paligemma4j.eval.pope;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How a POPE answer string becomes yes / no / neither. */
public enum PopeParser {
    /**
     * big_vision's rule (the published protocol, docs/eval-protocols.md#pope-scoring): the lower-cased answer must
     * equal {@code yes} or {@code no} exactly; no trimming, "Yes." is neither.
     */
    BIG_VISION,
    /**
     * AoiDragon/POPE {@code evaluate.py}: keep the text before the first '.', delete commas,
     * split on spaces; "No", "no" or "not" among the words means no, anything else yes.
     * A different protocol, offered only on request.
     */
    ORIGINAL;

    /** {@code Boolean.TRUE} for yes, {@code FALSE} for no, {@code null} for neither. */
    public Boolean parse(String answer) {
        if (this == BIG_VISION) {
            String s = answer.toLowerCase(Locale.ROOT);
            return s.equals("yes") ? Boolean.TRUE : s.equals("no") ? Boolean.FALSE : null;
        }
        String text = answer;
        int dot = text.indexOf('.');
        if (dot >= 0) text = text.substring(0, dot);
        text = text.replace(",", "");
        List<String> words = Arrays.asList(text.split(" ", -1));
        return words.contains("No") || words.contains("not") || words.contains("no") ? Boolean.FALSE : Boolean.TRUE;
    }

    /** {@code big_vision} or {@code original}. */
    public static PopeParser byName(String name) {
        return switch (name) {
            case "big_vision", "bigvision", "exact" -> BIG_VISION;
            case "original" -> ORIGINAL;
            default -> throw new IllegalArgumentException("POPE parser must be big_vision|original, got '" + name + "'");
        };
    }
}
