package paligemma4j.model.image;

/**
 * libjpeg's "fast integer" inverse DCT ({@code JDCT_IFAST}, the AA&N algorithm of jidctfst.c with
 * 8 fractional bits in the constants and products descaled by a plain right shift), which
 * libjpeg-turbo uses when TensorFlow decodes a JPEG with its default DCT method. Integer
 * arithmetic only, so the result is exact by construction.
 */
final class JpegIdctFast {

    private static final int CONST_BITS = 8;
    private static final int PASS1_BITS = 2;
    private static final int FIX_1_082392200 = 277;
    private static final int FIX_1_414213562 = 362;
    private static final int FIX_1_847759065 = 473;
    private static final int FIX_2_613125930 = 669;

    /** AA&N scale factors ×2^14 in natural order: round(2^14 · s[row] · s[col]), s[0] = 1, s[k] = √2·cos(kπ/16). */
    private static final int[] AAN_SCALES = aanScales();

    private JpegIdctFast() {
    }

    private static int[] aanScales() {
        double[] s = new double[8];
        s[0] = 1.0;
        for (int k = 1; k < 8; k++) {
            s[k] = Math.cos(k * Math.PI / 16) * Math.sqrt(2.0);
        }
        int[] t = new int[64];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) {
                t[r * 8 + c] = (int) Math.round(16384.0 * s[r] * s[c]);
            }
        }
        return t;
    }

    /** The multiplier table jddctmgr.c builds from a quantisation table (natural order). */
    static int[] multipliers(int[] quant) {
        int[] m = new int[64];
        for (int i = 0; i < 64; i++) {
            m[i] = (quant[i] * AAN_SCALES[i] + (1 << 11)) >> 12; // DESCALE(q·aan, 14 − 2)
        }
        return m;
    }

    private static int mul(int v, int c) {
        return (v * c) >> CONST_BITS;
    }

    /** One 8×8 block: {@code coef} in natural order, written to {@code out[offset + r·stride + c]}. */
    static void idct(short[] coef, int coefOffset, int[] mult, int[] ws, byte[] out, int offset, int stride) {
        for (int c = 0; c < 8; c++) {
            int i = coefOffset + c;
            int tmp0 = coef[i] * mult[c];
            int tmp1 = coef[i + 16] * mult[c + 16];
            int tmp2 = coef[i + 32] * mult[c + 32];
            int tmp3 = coef[i + 48] * mult[c + 48];
            int tmp10 = tmp0 + tmp2;
            int tmp11 = tmp0 - tmp2;
            int tmp13 = tmp1 + tmp3;
            int tmp12 = mul(tmp1 - tmp3, FIX_1_414213562) - tmp13;
            tmp0 = tmp10 + tmp13;
            tmp3 = tmp10 - tmp13;
            tmp1 = tmp11 + tmp12;
            tmp2 = tmp11 - tmp12;
            int tmp4 = coef[i + 8] * mult[c + 8];
            int tmp5 = coef[i + 24] * mult[c + 24];
            int tmp6 = coef[i + 40] * mult[c + 40];
            int tmp7 = coef[i + 56] * mult[c + 56];
            int z13 = tmp6 + tmp5;
            int z10 = tmp6 - tmp5;
            int z11 = tmp4 + tmp7;
            int z12 = tmp4 - tmp7;
            tmp7 = z11 + z13;
            tmp11 = mul(z11 - z13, FIX_1_414213562);
            int z5 = mul(z10 + z12, FIX_1_847759065);
            tmp10 = mul(z12, FIX_1_082392200) - z5;
            tmp12 = mul(z10, -FIX_2_613125930) + z5;
            tmp6 = tmp12 - tmp7;
            tmp5 = tmp11 - tmp6;
            tmp4 = tmp10 + tmp5;
            ws[c] = tmp0 + tmp7;
            ws[c + 56] = tmp0 - tmp7;
            ws[c + 8] = tmp1 + tmp6;
            ws[c + 48] = tmp1 - tmp6;
            ws[c + 16] = tmp2 + tmp5;
            ws[c + 40] = tmp2 - tmp5;
            ws[c + 32] = tmp3 + tmp4;
            ws[c + 24] = tmp3 - tmp4;
        }
        for (int r = 0; r < 8; r++) {
            int w = r * 8;
            int tmp10 = ws[w] + ws[w + 4];
            int tmp11 = ws[w] - ws[w + 4];
            int tmp13 = ws[w + 2] + ws[w + 6];
            int tmp12 = mul(ws[w + 2] - ws[w + 6], FIX_1_414213562) - tmp13;
            int tmp0 = tmp10 + tmp13;
            int tmp3 = tmp10 - tmp13;
            int tmp1 = tmp11 + tmp12;
            int tmp2 = tmp11 - tmp12;
            int z13 = ws[w + 5] + ws[w + 3];
            int z10 = ws[w + 5] - ws[w + 3];
            int z11 = ws[w + 1] + ws[w + 7];
            int z12 = ws[w + 1] - ws[w + 7];
            int tmp7 = z11 + z13;
            tmp11 = mul(z11 - z13, FIX_1_414213562);
            int z5 = mul(z10 + z12, FIX_1_847759065);
            tmp10 = mul(z12, FIX_1_082392200) - z5;
            tmp12 = mul(z10, -FIX_2_613125930) + z5;
            int tmp6 = tmp12 - tmp7;
            int tmp5 = tmp11 - tmp6;
            int tmp4 = tmp10 + tmp5;
            int o = offset + r * stride;
            out[o] = limit(tmp0 + tmp7);
            out[o + 7] = limit(tmp0 - tmp7);
            out[o + 1] = limit(tmp1 + tmp6);
            out[o + 6] = limit(tmp1 - tmp6);
            out[o + 2] = limit(tmp2 + tmp5);
            out[o + 5] = limit(tmp2 - tmp5);
            out[o + 4] = limit(tmp3 + tmp4);
            out[o + 3] = limit(tmp3 - tmp4);
        }
    }

    /** {@code range_limit[IDESCALE(x, PASS1_BITS + 3) & RANGE_MASK]}: shift, wrap to 10 bits, add 128, clamp. */
    private static byte limit(int x) {
        int v = (x >> (PASS1_BITS + 3)) & 1023;
        if (v >= 512) {
            v -= 1024;
        }
        v += 128;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
