package paligemma4j.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** UTF-8 helpers with the exact rules of the reference decoders. */
final class Utf8 {
    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /** Replaces unpaired surrogates (not encodable as UTF-8) with U+FFFD, as sentencepiece does for malformed input. */
    static String sanitize(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c)
                    ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone && sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(lone ? REPLACEMENT : c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * sentencepiece's byte-piece decoding ({@code ProcessBytePieces}): each valid UTF-8 character is kept,
     * each byte that does not start a valid character becomes one U+FFFD.
     */
    static void appendLenient(StringBuilder out, byte[] b, int len) {
        int i = 0;
        while (i < len) {
            int c0 = b[i] & 0xFF;
            int n = 0;
            int cp = -1;
            if (c0 < 0x80) {
                n = 1;
                cp = c0;
            } else if ((c0 & 0xE0) == 0xC0 && len - i >= 2 && trail(b[i + 1])) {
                cp = (c0 & 0x1F) << 6 | (b[i + 1] & 0x3F);
                n = cp >= 0x80 ? 2 : 0;
            } else if ((c0 & 0xF0) == 0xE0 && len - i >= 3 && trail(b[i + 1]) && trail(b[i + 2])) {
                cp = (c0 & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
                n = cp >= 0x800 && valid(cp) ? 3 : 0;
            } else if ((c0 & 0xF8) == 0xF0 && len - i >= 4 && trail(b[i + 1]) && trail(b[i + 2]) && trail(b[i + 3])) {
                cp = (c0 & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F);
                n = cp >= 0x10000 && valid(cp) ? 4 : 0;
            }
            if (n == 0) {
                out.append(REPLACEMENT);
                i++;
            } else {
                out.appendCodePoint(cp);
                i += n;
            }
        }
    }

    /** Strict decoding: the string if {@code b[0, len)} is valid UTF-8, else null (Rust's {@code String::from_utf8}). */
    static String decodeStrict(byte[] b, int len) {
        StringBuilder sb = new StringBuilder(len);
        appendLenient(sb, b, len);
        String s = sb.toString();
        byte[] again = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.equals(again, 0, again.length, b, 0, len) ? s : null;
    }

    private static boolean trail(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static boolean valid(int cp) {
        return cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF);
    }
}
