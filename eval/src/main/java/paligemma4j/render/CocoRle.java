package paligemma4j.render;

/**
 * Encodes a binary mask as COCO's compressed RLE string (pycocotools' {@code rleToString}): runs over the
 * mask in column-major order, zeros first; from the fourth count on each is stored as the difference to the
 * count two places earlier; each value is written in 5-bit groups as {@code char 48 + group}, bit 0x20 =
 * more groups follow, bit 0x10 of the last group = sign. {@code pycocotools.mask.decode} reads it back.
 */
public final class CocoRle {
    private CocoRle() {}

    /** The compressed counts of a row-major {@code h × w} mask. */
    public static String encode(boolean[] rowMajor, int h, int w) {
        long[] counts = new long[h * w + 1];
        int m = 0;
        boolean value = false;
        long run = 0;
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                if (rowMajor[y * w + x] != value) {
                    counts[m++] = run;
                    run = 0;
                    value = !value;
                }
                run++;
            }
        }
        counts[m++] = run;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < m; i++) {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                sb.append((char) (c + 48));
            }
        }
        return sb.toString();
    }
}
