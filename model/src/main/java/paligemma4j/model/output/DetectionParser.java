package paligemma4j.model.output;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tolerant parser of PaliGemma detection / segmentation answers (docs/model.md#detection-output), with the
 * semantics of the regular expression in Google's demo code. From the current position it
 * repeatedly matches: the shortest run of leading text on the same line, exactly four
 * {@code <locDDDD>}, optional whitespace, optionally exactly sixteen {@code <segDDD>},
 * optional whitespace, an optional label of characters other than {@code ; < >}, an optional
 * space and an optional {@code "; "}. Parsing stops at the first position where no such match
 * starts (text after the last object is ignored). A run of fewer than 16 seg tokens is not a
 * mask: that object gets no mask and no label, and the stray tokens become leading text of the
 * next object.
 *
 * <p>As in Python 3's {@code re}, {@code \d} and {@code \s} are Unicode-aware and {@code .}
 * excludes only {@code '\n'}.
 */
public final class DetectionParser {

    /** Number of seg tokens that describe one mask. */
    public static final int SEG_TOKENS_PER_MASK = 16;

    private static final Pattern OBJECT = Pattern.compile(
            "(.*?)" + "<loc(\\d{4})>".repeat(4) + "\\s*"
                    + "(?:" + "<seg(\\d{3})>".repeat(SEG_TOKENS_PER_MASK) + ")?"
                    + "\\s*([^;<>]+)? ?(?:; )?",
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES);

    private DetectionParser() {
    }

    /** All objects in {@code text}, in order; an empty list when there is none. */
    public static List<Detection> parse(String text) {
        List<Detection> out = new ArrayList<>();
        Matcher m = OBJECT.matcher(text);
        int pos = 0;
        while (pos < text.length()) {
            m.region(pos, text.length());
            if (!m.lookingAt()) {
                break;
            }
            int[] seg = null;
            if (m.group(6) != null) {
                seg = new int[SEG_TOKENS_PER_MASK];
                for (int j = 0; j < SEG_TOKENS_PER_MASK; j++) {
                    seg[j] = number(m.group(6 + j));
                }
            }
            String label = m.group(6 + SEG_TOKENS_PER_MASK);
            out.add(new Detection(number(m.group(2)), number(m.group(3)), number(m.group(4)), number(m.group(5)),
                    label == null ? "" : pythonStrip(label), seg));
            pos = m.end();
        }
        return out;
    }

    /** Python's {@code str.strip()}: also removes no-break spaces and NEL, which {@link String#strip()} keeps. */
    static String pythonStrip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isPythonSpace(s.charAt(begin))) {
            begin++;
        }
        while (end > begin && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(begin, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.getType(c) == Character.SPACE_SEPARATOR || c == '\u0085';
    }

    /** Python's {@code int()} on a run of Unicode decimal digits. */
    private static int number(String digits) {
        int v = 0;
        for (int i = 0; i < digits.length(); ) {
            int cp = digits.codePointAt(i);
            v = v * 10 + Character.digit(cp, 10);
            i += Character.charCount(cp);
        }
        return v;
    }
}
