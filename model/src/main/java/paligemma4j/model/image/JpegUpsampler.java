package paligemma4j.model.image;

/**
 * libjpeg-turbo's chroma upsampling with {@code do_fancy_upsampling} on (TF's default): the
 * triangle ("fancy") filters for 2×1 (4:2:2) and 2×2 (4:2:0) subsampling (jdsample.c), with
 * replication when the subsampled width is ≤ 2 as libjpeg-turbo does. Edges replicate the last
 * real sample row/column. Other factor pairs (4:4:0, 4:1:1, …) are not verified against TF and
 * return null, so the caller falls back to ImageIO.
 */
final class JpegUpsampler {

    private JpegUpsampler() {
    }

    /**
     * A decoded component plane: {@code stride} bytes per row, of which the first {@code width} of the
     * first {@code height} rows are real samples (the rest is block padding).
     */
    record Plane(byte[] samples, int stride, int width, int height) {
    }

    /**
     * Upsamples {@code plane} by {@code fx × fy} (the frame's largest sampling factors over the
     * component's) to a {@code width × height} image; null unless the pair is 1×1, 2×1 or 2×2.
     */
    static byte[] upsample(Plane plane, int fx, int fy, int width, int height) {
        if (!(fy == 1 && (fx == 1 || fx == 2) || fy == 2 && fx == 2)) {
            return null;
        }
        byte[] p = plane.samples();
        int stride = plane.stride();
        int cw = plane.width();
        byte[] out = new byte[width * height];
        if (fx == 1 && fy == 1) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(p, y * stride, out, y * width, width);
            }
            return out;
        }
        boolean fancyH2 = fx == 2 && cw > 2;
        int outW = cw * fx;
        int[] row = new int[outW];
        for (int y = 0; y < height; y++) {
            if (fx == 2 && fy == 1 && fancyH2) {
                h2v1(p, y * stride, cw, row);
            } else if (fx == 2 && fy == 2 && fancyH2) {
                h2v2(p, stride, cw, plane.height(), y, row);
            } else {
                int sy = y / fy;
                for (int x = 0; x < outW; x++) {
                    row[x] = p[sy * stride + x / fx] & 0xFF;
                }
            }
            for (int x = 0; x < width; x++) {
                out[y * width + x] = (byte) row[x];
            }
        }
        return out;
    }

    private static int at(byte[] p, int i) {
        return p[i] & 0xFF;
    }

    private static void h2v1(byte[] p, int base, int cw, int[] row) {
        int in = at(p, base);
        row[0] = in;
        row[1] = (in * 3 + at(p, base + 1) + 2) >> 2;
        for (int c = 1; c < cw - 1; c++) {
            int v = at(p, base + c) * 3;
            row[2 * c] = (v + at(p, base + c - 1) + 1) >> 2;
            row[2 * c + 1] = (v + at(p, base + c + 1) + 2) >> 2;
        }
        in = at(p, base + cw - 1);
        row[2 * cw - 2] = (in * 3 + at(p, base + cw - 2) + 1) >> 2;
        row[2 * cw - 1] = in;
    }

    private static void h2v2(byte[] p, int stride, int cw, int ch, int y, int[] row) {
        int near = y / 2;
        int far = Math.clamp((y & 1) == 0 ? near - 1 : near + 1, 0, ch - 1);
        int n = near * stride;
        int f = far * stride;
        int thiscolsum = at(p, n) * 3 + at(p, f);
        int nextcolsum = at(p, n + 1) * 3 + at(p, f + 1);
        row[0] = (thiscolsum * 4 + 8) >> 4;
        row[1] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
        int lastcolsum = thiscolsum;
        thiscolsum = nextcolsum;
        for (int c = 2; c < cw; c++) {
            nextcolsum = at(p, n + c) * 3 + at(p, f + c);
            row[2 * c - 2] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
            row[2 * c - 1] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
            lastcolsum = thiscolsum;
            thiscolsum = nextcolsum;
        }
        row[2 * cw - 2] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
        row[2 * cw - 1] = (thiscolsum * 4 + 7) >> 4;
    }
}
