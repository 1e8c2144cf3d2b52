package paligemma4j.eval.metrics;

import java.util.ArrayList;
import java.util.List;

/** Python 3 {@code str} whitespace semantics ({@code str.split()}, {@code str.rstrip()}), used by pycocoevalcap. */
public final class PyStrings {
    private PyStrings() {}

    /** Exactly the code points for which Python 3's {@code str.isspace()} is true (all BMP; none above). */
    public static boolean isSpace(int c) {
        return switch (c) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
                 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }

    /** {@code s.split()}: split on runs of whitespace, no empty strings. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length(), i = 0;
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++;
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) i++;
            if (i > start) out.add(s.substring(start, i));
        }
        return out;
    }

    /** {@code s.rstrip()}. */
    public static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }
}
