package paligemma4j.model.image;

/** libjpeg's fixed-point YCbCr → RGB conversion (jdcolor.c, 16 fractional bits, table-driven). */
final class JpegColor {

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegColor() {
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    static void yccToRgb(int y, int cb, int cr, byte[] out, int o) {
        out[o] = clamp(y + CR_R[cr]);
        out[o + 1] = clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
        out[o + 2] = clamp(y + CB_B[cb]);
    }
}
