package paligemma4j.eval.refcoco;

import java.util.Arrays;
import paligemma4j.eval.EvalException;

/**
 * COCO run-length encoding as pycocotools' {@code maskApi.c} defines it: an h×w binary mask read in
 * column-major order (x outer, y inner) as alternating runs, zeros first. This class rebuilds
 * pycocotools' polygon rasteriser ({@code rleFrPoly}), its compressed-string codec
 * ({@code rleFrString}) and decoding, so ground-truth masks match {@code annToMask} pixel for pixel.
 *
 * @param h      mask height
 * @param w      mask width
 * @param counts run lengths (as unsigned 32-bit values in C; here non-negative longs)
 */
public record Rle(int h, int w, long[] counts) {

    /** The mask, row-major {@code mask[y * w + x]}. Runs past h·w are an error; a short total leaves zeros. */
    public boolean[] decode() {
        long total = (long) h * w;
        boolean[] colMajor = new boolean[(int) total];
        long pos = 0;
        boolean value = false;
        for (long c : counts) {
            if (c < 0 || pos + c > total) {
                throw new EvalException("RLE counts exceed the " + h + "x" + w + " mask");
            }
            if (value) Arrays.fill(colMajor, (int) pos, (int) (pos + c), true);
            pos += c;
            value = !value;
        }
        boolean[] rowMajor = new boolean[(int) total];
        for (int x = 0; x < w; x++) {
            int col = x * h;
            for (int y = 0; y < h; y++) rowMajor[y * w + x] = colMajor[col + y];
        }
        return rowMajor;
    }

    /**
     * Decodes pycocotools' compressed counts string: each count is a little-endian sequence of
     * 5-bit groups stored as {@code char − 48}, bit 0x20 meaning "more groups follow" and bit 0x10
     * of the last group the sign; from the third count on, the value is a delta to the count two
     * places earlier.
     */
    public static Rle fromString(String s, int h, int w) {
        long[] cnts = new long[s.length()];
        int m = 0, p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) throw new EvalException("compressed RLE string ends inside a count");
                long c = s.charAt(p) - 48;
                x |= (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (m > 2) x += cnts[m - 2];
            cnts[m++] = x & 0xFFFFFFFFL; // stored as uint in C
        }
        return new Rle(h, w, Arrays.copyOf(cnts, m));
    }

    /**
     * Rasterises one polygon {@code xy = [x0, y0, x1, y1, ...]} (pixel coordinates) the way
     * pycocotools does: vertices are scaled by 5 and rounded, the closed outline is traced densely
     * (one point per step of the longer axis), every step in x yields an "edge crossing" at a
     * pixel column whose centre it passes, scaled back, and the sorted crossing positions in
     * column-major order become the run boundaries.
     */
    public static Rle fromPolygon(double[] xy, int h, int w) {
        final double scale = 5;
        int k = xy.length / 2;
        int[] px = new int[k + 1], py = new int[k + 1];
        for (int j = 0; j < k; j++) {
            px[j] = (int) (scale * xy[2 * j] + .5); // C cast: truncation toward zero
            py[j] = (int) (scale * xy[2 * j + 1] + .5);
        }
        px[k] = px[0];
        py[k] = py[0];
        // 1. dense outline points (u, v) in the upsampled grid
        int total = 0;
        for (int j = 0; j < k; j++) total += Math.max(Math.abs(px[j] - px[j + 1]), Math.abs(py[j] - py[j + 1])) + 1;
        int[] u = new int[total], v = new int[total];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int xs = px[j], xe = px[j + 1], ys = py[j], ye = py[j + 1];
            int dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
            boolean xMajor = dx >= dy;
            // walk every segment in increasing direction of its major axis, then restore its order
            boolean flip = (xMajor && xs > xe) || (!xMajor && ys > ye);
            if (flip) {
                int t = xs; xs = xe; xe = t;
                t = ys; ys = ye; ye = t;
            }
            if (xMajor) {
                double slope = dx == 0 ? 0 : (double) (ye - ys) / dx;
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int) (ys + slope * t + .5);
                    m++;
                }
            } else {
                double slope = (double) (xe - xs) / dy;
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int) (xs + slope * t + .5);
                    m++;
                }
            }
        }
        // 2. crossings of pixel-column centres, back in image coordinates
        int[] cx = new int[m], cy = new int[m];
        int c = 0;
        for (int j = 1; j < m; j++) {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / scale - .5;
            if (Math.floor(xd) != xd || xd < 0 || xd > w - 1) continue;
            double yd = Math.min(v[j], v[j - 1]);
            yd = (yd + .5) / scale - .5;
            if (yd < 0) yd = 0;
            else if (yd > h) yd = h;
            yd = Math.ceil(yd);
            cx[c] = (int) xd;
            cy[c] = (int) yd;
            c++;
        }
        // 3. sorted column-major positions (plus the end of the mask) → run lengths
        long[] a = new long[c + 1];
        for (int j = 0; j < c; j++) a[j] = ((long) cx[j] * h + cy[j]) & 0xFFFFFFFFL;
        a[c] = ((long) h * w) & 0xFFFFFFFFL;
        Arrays.sort(a);
        long prev = 0;
        for (int j = 0; j < a.length; j++) {
            long t = a[j];
            a[j] -= prev;
            prev = t;
        }
        // zero-length runs merge their neighbours: drop the zero and add the next run to the previous one
        long[] b = new long[a.length];
        int n = 0, j = 0;
        b[n++] = a[j++];
        while (j < a.length) {
            if (a[j] > 0) {
                b[n++] = a[j++];
            } else {
                j++;
                if (j < a.length) b[n - 1] += a[j++];
            }
        }
        return new Rle(h, w, Arrays.copyOf(b, n));
    }
}
