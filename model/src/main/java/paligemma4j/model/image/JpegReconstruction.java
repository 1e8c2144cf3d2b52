package paligemma4j.model.image;

/** Turns a frame's decoded coefficients into RGB pixels: IDCT per block, chroma upsampling, colour conversion. */
final class JpegReconstruction {

    private JpegReconstruction() {
    }

    /** {@code rgb}: the three components already are R, G, B (no YCbCr conversion). */
    static RgbImage toRgb(JpegFrame frame, JpegTables tables, boolean rgb) throws JpegDecoder.Unsupported {
        JpegComponent[] comps = frame.components();
        int width = frame.width();
        int height = frame.height();
        JpegUpsampler.Plane[] planes = new JpegUpsampler.Plane[comps.length];
        for (int i = 0; i < comps.length; i++) {
            planes[i] = inverseDct(comps[i], tables);
        }
        byte[] out = new byte[width * height * 3];
        if (comps.length == 1) {
            byte[] grey = planes[0].samples();
            int stride = planes[0].stride();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    byte g = grey[y * stride + x];
                    int o = (y * width + x) * 3;
                    out[o] = g;
                    out[o + 1] = g;
                    out[o + 2] = g;
                }
            }
            return new RgbImage(height, width, out);
        }
        byte[][] full = new byte[3][];
        for (int i = 0; i < 3; i++) {
            JpegComponent c = comps[i];
            full[i] = JpegUpsampler.upsample(planes[i], frame.hMax() / c.h, frame.vMax() / c.v, width, height);
            if (full[i] == null) {
                throw new JpegDecoder.Unsupported("sampling factors " + c.h + "×" + c.v + " of " + frame.hMax() + "×" + frame.vMax());
            }
        }
        for (int p = 0; p < width * height; p++) {
            int o = p * 3;
            if (rgb) {
                out[o] = full[0][p];
                out[o + 1] = full[1][p];
                out[o + 2] = full[2][p];
            } else {
                JpegColor.yccToRgb(full[0][p] & 0xFF, full[1][p] & 0xFF, full[2][p] & 0xFF, out, o);
            }
        }
        return new RgbImage(height, width, out);
    }

    /** The component's samples, every (MCU-padded) block through the fast integer IDCT. */
    private static JpegUpsampler.Plane inverseDct(JpegComponent c, JpegTables tables) {
        int[] q = tables.quant[c.quantIndex];
        if (q == null) {
            throw new JpegDecoder.Corrupt("missing quantisation table " + c.quantIndex);
        }
        int[] mult = JpegIdctFast.multipliers(q);
        int[] ws = new int[64];
        int stride = c.blocksPerLine * 8;
        byte[] plane = new byte[stride * c.blocksPerColumn * 8];
        for (int br = 0; br < c.blocksPerColumn; br++) {
            for (int bc = 0; bc < c.blocksPerLine; bc++) {
                JpegIdctFast.idct(c.coef, (br * c.blocksPerLine + bc) * 64, mult, ws, plane,
                        br * 8 * stride + bc * 8, stride);
            }
        }
        return new JpegUpsampler.Plane(plane, stride, c.width, c.height);
    }
}
