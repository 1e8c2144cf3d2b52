package paligemma4j.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * Names what a file that is not a checkpoint looks like, from its first bytes, so that an image or a
 * text file given as a checkpoint (or a checkpoint given as an image) gets an error saying so.
 */
public final class FileSignature {
    private FileSignature() {}

    /**
     * A short description of {@code head} (the file's first bytes, any number), e.g. "a PNG image",
     * "a JPEG image", "text", "a gzip archive"; "binary data" when nothing matches.
     */
    public static String describe(byte[] head) {
        if (starts(head, 0x89, 'P', 'N', 'G')) return "a PNG image";
        if (starts(head, 0xFF, 0xD8, 0xFF)) return "a JPEG image";
        if (starts(head, 'G', 'I', 'F', '8')) return "a GIF image";
        if (isBmp(head)) return "a BMP image";
        if (starts(head, 'R', 'I', 'F', 'F') && head.length >= 12 && head[8] == 'W' && head[9] == 'E') return "a WebP image";
        if (starts(head, 0x1F, 0x8B)) return "a gzip archive";
        if (starts(head, '%', 'P', 'D', 'F')) return "a PDF document";
        if (starts(head, 0x93, 'N', 'U', 'M', 'P', 'Y')) return "a single .npy array (expected a .npz archive of them)";
        if (starts(head, 'P', 'K')) return "a ZIP archive";
        if (looksLikeText(head)) return "text";
        return "binary data";
    }

    /** True for bytes of a JPEG, PNG, GIF or BMP file (the formats the image decoder reads). */
    public static boolean isImage(byte[] head) {
        return starts(head, 0x89, 'P', 'N', 'G') || starts(head, 0xFF, 0xD8, 0xFF) || starts(head, 'G', 'I', 'F', '8')
                || isBmp(head);
    }

    /** "BM" and a known DIB header size at offset 14 (so text starting with "BM" is not a bitmap). */
    private static boolean isBmp(byte[] b) {
        if (!starts(b, 'B', 'M') || b.length < 18) return false;
        int dib = (b[14] & 0xFF) | (b[15] & 0xFF) << 8 | (b[16] & 0xFF) << 16 | (b[17] & 0xFF) << 24;
        return dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124;
    }

    /** The first bytes as hex and as printable ASCII, e.g. {@code 74 68 69 73 ('this')}. */
    public static String hex(byte[] head, int max) {
        int n = Math.min(head.length, max);
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < n; i++) hex.append(String.format("%02x ", head[i] & 0xFF));
        String ascii = new String(head, 0, n, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?");
        return hex.toString().strip() + " ('" + ascii + "')";
    }

    private static boolean starts(byte[] b, int... sig) {
        if (b.length < sig.length) return false;
        for (int i = 0; i < sig.length; i++) if ((b[i] & 0xFF) != sig[i]) return false;
        return true;
    }

    /** Valid UTF-8 (a cut final character allowed) without control characters other than tab, CR, LF, FF. */
    private static boolean looksLikeText(byte[] b) {
        if (b.length == 0) return false;
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int extra;
            if (c < 0x80) {
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
                if (c == 0x7F) return false;
                i++;
                continue;
            } else if (c >= 0xC2 && c <= 0xDF) extra = 1;
            else if (c >= 0xE0 && c <= 0xEF) extra = 2;
            else if (c >= 0xF0 && c <= 0xF4) extra = 3;
            else return false;
            for (int k = 1; k <= extra; k++) {
                if (i + k >= b.length) return true;
                if ((b[i + k] & 0xC0) != 0x80) return false;
            }
            i += extra + 1;
        }
        return true;
    }
}
