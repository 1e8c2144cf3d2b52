package paligemma4j.model.image;

/**
 * A frame header (SOF0/1/2): image size, components and the MCU grid they share.
 *
 * @param progressive SOF2 rather than sequential
 * @param hMax largest horizontal sampling factor
 * @param vMax largest vertical sampling factor
 */
record JpegFrame(int width, int height, boolean progressive, JpegComponent[] components, int hMax, int vMax) {

    /** Largest image accepted (2^28 pixels, e.g. 16384 × 16384): guards allocations against bogus headers. */
    static final long MAX_PIXELS = 1L << 28;

    /** Most pixels one byte of entropy-coded data can hold (256 for grey at two bits per block), with margin. */
    static final long MAX_PIXELS_PER_BYTE = 1024;

    /** Reads an SOF segment (the cursor just past its marker) and allocates each component's coefficients. */
    static JpegFrame read(JpegInput in, boolean progressive) throws JpegDecoder.Unsupported {
        in.u16();
        int precision = in.u8();
        if (precision != 8) {
            throw new JpegDecoder.Unsupported(precision + "-bit samples");
        }
        int height = in.u16();
        int width = in.u16();
        int n = in.u8();
        if (height == 0 || width == 0) {
            throw new JpegDecoder.Unsupported("image height 0 (DNL marker)");
        }
        if (n != 1 && n != 3) {
            throw new JpegDecoder.Unsupported(n + " colour components");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new JpegDecoder.Corrupt("image of " + height + "×" + width + " pixels exceeds the limit of " + MAX_PIXELS);
        }
        // every 8×8 block costs at least two Huffman bits (DC and end of block): a bound before allocating
        if ((long) width * height > MAX_PIXELS_PER_BYTE * in.data.length + (1 << 16)) {
            throw new JpegDecoder.Corrupt("image of " + height + "×" + width + " pixels cannot be coded in "
                    + in.data.length + " bytes");
        }
        JpegComponent[] comps = new JpegComponent[n];
        for (int i = 0; i < n; i++) {
            JpegComponent c = new JpegComponent();
            c.id = in.u8();
            int hv = in.u8();
            c.h = hv >> 4;
            c.v = hv & 15;
            c.quantIndex = in.u8();
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.quantIndex > 3) {
                throw new JpegDecoder.Corrupt("bad component parameters");
            }
            comps[i] = c;
        }
        if (n == 1) { // a single-component image is never interleaved: its MCU is one block
            comps[0].h = 1;
            comps[0].v = 1;
        }
        int hMax = 1;
        int vMax = 1;
        for (JpegComponent c : comps) {
            hMax = Math.max(hMax, c.h);
            vMax = Math.max(vMax, c.v);
        }
        JpegFrame frame = new JpegFrame(width, height, progressive, comps, hMax, vMax);
        for (JpegComponent c : comps) {
            if (hMax % c.h != 0 || vMax % c.v != 0) {
                throw new JpegDecoder.Unsupported("non-integral sampling factors");
            }
            c.width = ceilDiv(width * c.h, hMax);
            c.height = ceilDiv(height * c.v, vMax);
            c.realBlocksPerLine = ceilDiv(c.width, 8);
            c.realBlocksPerColumn = ceilDiv(c.height, 8);
            c.blocksPerLine = frame.mcusPerLine() * c.h;
            c.blocksPerColumn = frame.mcusPerColumn() * c.v;
            c.coef = new short[c.blocksPerLine * c.blocksPerColumn * 64];
        }
        return frame;
    }

    /** MCUs per row of the image; an MCU covers {@code 8·hMax × 8·vMax} pixels. */
    int mcusPerLine() {
        return ceilDiv(width, 8 * hMax);
    }

    int mcusPerColumn() {
        return ceilDiv(height, 8 * vMax);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
