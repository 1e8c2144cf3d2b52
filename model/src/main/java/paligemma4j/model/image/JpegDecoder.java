package paligemma4j.model.image;

import java.util.Arrays;

/**
 * A JPEG decoder that reproduces what TensorFlow's {@code tf.io.decode_image(channels=3)} returns
 * with its default settings (libjpeg-turbo, fast integer IDCT {@link JpegIdctFast}, "fancy"
 * triangle upsampling of subsampled chroma, libjpeg's fixed-point YCbCr → RGB). Handles baseline
 * and progressive Huffman-coded 8-bit JPEGs with 1 (grey) or 3 (YCbCr, or RGB per Adobe/component
 * ids) components and restart intervals. Anything else (arithmetic coding, 12-bit, lossless,
 * CMYK/YCCK, non-2× subsampling) raises {@link Unsupported}, and the caller falls back to ImageIO.
 */
final class JpegDecoder {

    /** A JPEG feature this decoder does not implement (not a corrupt file). */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** A structurally broken JPEG. */
    static final class Corrupt extends RuntimeException {
        Corrupt(String message) {
            super(message, null, false, false);
        }
    }

    /** Largest image accepted (2^28 pixels, e.g. 16384 × 16384): guards allocations against bogus headers. */
    static final long MAX_PIXELS = 1L << 28;

    /** Most pixels one byte of entropy-coded data can hold (256 for grey at two bits per block), with margin. */
    static final long MAX_PIXELS_PER_BYTE = 1024;

    static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60,
        61, 54, 47, 55, 62, 63};

    private static final class Component {
        int id;
        int h;
        int v;
        int quantIndex;
        int blocksPerLine;    // MCU-padded
        int blocksPerColumn;  // MCU-padded
        int realBlocksPerLine;
        int realBlocksPerColumn;
        int width;            // downsampled_width
        int height;           // downsampled_height
        short[] coef;
        int dcTable;
        int acTable;
        int pred;
    }

    /** Bits looked up at once when decoding a Huffman code. */
    private static final int LOOKAHEAD = 9;

    /**
     * A canonical Huffman table as a (length, code) → symbol lookup, plus a direct table for codes of
     * at most {@link #LOOKAHEAD} bits: {@code fast[next 9 bits] = length << 8 | symbol}, 0 if longer.
     */
    private static final class Huffman {
        final int[] maxCode = new int[18];
        final int[] valPtr = new int[17];
        final int[] minCode = new int[17];
        final int[] values;
        final int[] fast = new int[1 << LOOKAHEAD];

        Huffman(int[] counts, int[] values) {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int len = 1; len <= 16; len++) {
                valPtr[len] = k;
                minCode[len] = code;
                if (code + counts[len] > (1 << len)) {
                    throw new Corrupt("bad Huffman table (too many codes of length " + len + ")");
                }
                for (int i = 0; i < counts[len]; i++, code++, k++) {
                    if (len <= LOOKAHEAD && k < values.length) {
                        int shift = LOOKAHEAD - len;
                        for (int fill = 0; fill < (1 << shift); fill++) {
                            fast[(code << shift) | fill] = len << 8 | values[k];
                        }
                    }
                }
                maxCode[len] = counts[len] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }
    }

    private final byte[] d;
    private int pos;
    private final int[][] quant = new int[4][];
    private final Huffman[] dcTables = new Huffman[4];
    private final Huffman[] acTables = new Huffman[4];
    private Component[] comps;
    private int width;
    private int height;
    private boolean progressive;
    private int restartInterval;
    private int hMax;
    private int vMax;
    private int mcusPerLine;
    private int mcusPerColumn;
    private boolean adobe;
    private int adobeTransform = -1;
    private boolean jfif;
    private int eobrun;

    // bit reader state
    private int bitBuf;
    private int bitCount;
    private boolean hitMarker;

    private JpegDecoder(byte[] data) {
        this.d = data;
    }

    /** Decodes {@code data} to RGB. */
    static RgbImage decode(byte[] data) throws Unsupported {
        return new JpegDecoder(data).run();
    }

    private int u8() {
        if (pos >= d.length) {
            throw new Corrupt("truncated file");
        }
        return d[pos++] & 0xFF;
    }

    private int u16() {
        return (u8() << 8) | u8();
    }

    private RgbImage run() throws Unsupported {
        if (u16() != 0xFFD8) {
            throw new Corrupt("missing SOI marker");
        }
        boolean frameSeen = false;
        while (true) {
            int marker = nextMarker();
            switch (marker) {
                case 0xD9 -> {
                    if (!frameSeen) {
                        throw new Corrupt("no image data before EOI");
                    }
                    return output();
                }
                case 0xC0, 0xC1, 0xC2 -> {
                    progressive = marker == 0xC2;
                    readFrame();
                    frameSeen = true;
                }
                case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                    throw new Unsupported(String.format("JPEG process SOF%d", marker - 0xC0));
                case 0xC4 -> readHuffman();
                case 0xDB -> readQuant();
                case 0xDD -> {
                    u16();
                    restartInterval = u16();
                }
                case 0xDA -> {
                    if (!frameSeen) {
                        throw new Corrupt("scan before frame header");
                    }
                    readScan();
                }
                case 0xE0 -> {
                    int len = u16();
                    if (len >= 7 && d[pos] == 'J' && d[pos + 1] == 'F' && d[pos + 2] == 'I' && d[pos + 3] == 'F') {
                        jfif = true;
                    }
                    skip(len - 2);
                }
                case 0xEE -> {
                    int len = u16();
                    if (len >= 14 && d[pos] == 'A' && d[pos + 1] == 'd' && d[pos + 2] == 'o' && d[pos + 3] == 'b'
                            && d[pos + 4] == 'e') {
                        adobe = true;
                        adobeTransform = d[pos + 11] & 0xFF;
                    }
                    skip(len - 2);
                }
                default -> {
                    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                        continue; // stray SOI / RST / TEM: no segment
                    }
                    skip(u16() - 2);
                }
            }
        }
    }

    private void skip(int n) {
        if (n < 0 || pos + n > d.length) {
            throw new Corrupt("truncated segment");
        }
        pos += n;
    }

    private int nextMarker() {
        int b = u8();
        while (b != 0xFF) { // garbage between segments (libjpeg warns and skips)
            b = u8();
        }
        int m;
        do {
            m = u8();
        } while (m == 0xFF);
        return m;
    }

    private void readQuant() throws Unsupported {
        int end = pos - 2 + u16();
        while (pos < end) {
            int pq = u8();
            int t = pq & 15;
            if (t > 3) {
                throw new Corrupt("bad quantisation table id " + t);
            }
            int[] q = new int[64];
            for (int i = 0; i < 64; i++) {
                q[ZIGZAG[i]] = (pq >> 4) == 0 ? u8() : u16();
            }
            quant[t] = q;
        }
    }

    private void readHuffman() {
        int end = pos - 2 + u16();
        while (pos < end) {
            int tc = u8();
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = u8();
                total += counts[i];
            }
            if (total > 256) {
                throw new Corrupt("bad Huffman table");
            }
            int[] values = new int[total];
            for (int i = 0; i < total; i++) {
                values[i] = u8();
            }
            Huffman table = new Huffman(counts, values);
            if ((tc & 15) > 3) {
                throw new Corrupt("bad Huffman table id");
            }
            if ((tc >> 4) == 0) {
                dcTables[tc & 15] = table;
            } else {
                acTables[tc & 15] = table;
            }
        }
    }

    private void readFrame() throws Unsupported {
        u16();
        int precision = u8();
        if (precision != 8) {
            throw new Unsupported(precision + "-bit samples");
        }
        height = u16();
        width = u16();
        int n = u8();
        if (height == 0 || width == 0) {
            throw new Unsupported("image height 0 (DNL marker)");
        }
        if (n != 1 && n != 3) {
            throw new Unsupported(n + " colour components");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new Corrupt("image of " + height + "×" + width + " pixels exceeds the limit of " + MAX_PIXELS);
        }
        // every 8×8 block costs at least two Huffman bits (DC and end of block): a bound before allocating
        if ((long) width * height > MAX_PIXELS_PER_BYTE * d.length + (1 << 16)) {
            throw new Corrupt("image of " + height + "×" + width + " pixels cannot be coded in " + d.length + " bytes");
        }
        comps = new Component[n];
        for (int i = 0; i < n; i++) {
            Component c = new Component();
            c.id = u8();
            int hv = u8();
            c.h = hv >> 4;
            c.v = hv & 15;
            c.quantIndex = u8();
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.quantIndex > 3) {
                throw new Corrupt("bad component parameters");
            }
            comps[i] = c;
        }
        if (n == 1) { // a single-component image is never interleaved: its MCU is one block
            comps[0].h = 1;
            comps[0].v = 1;
        }
        hMax = 1;
        vMax = 1;
        for (Component c : comps) {
            hMax = Math.max(hMax, c.h);
            vMax = Math.max(vMax, c.v);
        }
        mcusPerLine = ceilDiv(width, 8 * hMax);
        mcusPerColumn = ceilDiv(height, 8 * vMax);
        for (Component c : comps) {
            if (hMax % c.h != 0 || vMax % c.v != 0) {
                throw new Unsupported("non-integral sampling factors");
            }
            c.width = ceilDiv(width * c.h, hMax);
            c.height = ceilDiv(height * c.v, vMax);
            c.realBlocksPerLine = ceilDiv(c.width, 8);
            c.realBlocksPerColumn = ceilDiv(c.height, 8);
            c.blocksPerLine = mcusPerLine * c.h;
            c.blocksPerColumn = mcusPerColumn * c.v;
            c.coef = new short[c.blocksPerLine * c.blocksPerColumn * 64];
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    // ------------------------------------------------------------------ entropy decoding

    private void readScan() {
        int len = u16();
        int n = u8();
        if (n < 1 || n > comps.length || len != 6 + 2 * n) {
            throw new Corrupt("bad scan header");
        }
        Component[] sc = new Component[n];
        for (int i = 0; i < n; i++) {
            int id = u8();
            int tables = u8();
            Component c = null;
            for (Component k : comps) {
                if (k.id == id) {
                    c = k;
                }
            }
            if (c == null) {
                throw new Corrupt("scan names unknown component " + id);
            }
            c.dcTable = tables >> 4;
            c.acTable = tables & 15;
            if (c.dcTable > 3 || c.acTable > 3) {
                throw new Corrupt("bad Huffman table selector");
            }
            sc[i] = c;
        }
        int ss = u8();
        int se = u8();
        int a = u8();
        int ah = a >> 4;
        int al = a & 15;
        if (!progressive) {
            ss = 0;
            se = 63;
            ah = 0;
            al = 0;
        }
        if (ss > se || se > 63 || (ss == 0 && se != 0 && progressive) || al > 13) {
            throw new Corrupt("bad progression parameters");
        }
        bitBuf = 0;
        bitCount = 0;
        hitMarker = false;
        eobrun = 0;
        for (Component c : sc) {
            c.pred = 0;
        }
        boolean single = n == 1;
        int total = single ? sc[0].realBlocksPerLine * sc[0].realBlocksPerColumn : mcusPerLine * mcusPerColumn;
        int unitsPerLine = single ? sc[0].realBlocksPerLine : mcusPerLine;
        int restartsLeft = restartInterval;
        for (int unit = 0; unit < total; unit++) {
            if (restartInterval > 0 && restartsLeft == 0) {
                restart(sc);
                restartsLeft = restartInterval;
            }
            int row = unit / unitsPerLine;
            int col = unit % unitsPerLine;
            if (single) {
                Component c = sc[0];
                decodeBlock(c, (row * c.blocksPerLine + col) * 64, ss, se, ah, al);
            } else {
                for (Component c : sc) {
                    for (int v = 0; v < c.v; v++) {
                        for (int h = 0; h < c.h; h++) {
                            int br = row * c.v + v;
                            int bc = col * c.h + h;
                            decodeBlock(c, (br * c.blocksPerLine + bc) * 64, ss, se, ah, al);
                        }
                    }
                }
            }
            restartsLeft--;
        }
        // position at the next marker
        if (hitMarker) {
            return;
        }
        while (pos < d.length && !((d[pos] & 0xFF) == 0xFF && pos + 1 < d.length && (d[pos + 1] & 0xFF) != 0
                && ((d[pos + 1] & 0xFF) < 0xD0 || (d[pos + 1] & 0xFF) > 0xD7))) {
            pos++;
        }
    }

    private void restart(Component[] sc) {
        bitBuf = 0;
        bitCount = 0;
        hitMarker = false;
        // find RSTn
        while (pos + 1 < d.length) {
            if ((d[pos] & 0xFF) == 0xFF && (d[pos + 1] & 0xFF) >= 0xD0 && (d[pos + 1] & 0xFF) <= 0xD7) {
                pos += 2;
                break;
            }
            pos++;
        }
        eobrun = 0;
        for (Component c : sc) {
            c.pred = 0;
        }
    }

    private int bit() {
        if (bitCount == 0) {
            fill();
        }
        bitCount--;
        return (bitBuf >> bitCount) & 1;
    }

    private void fill() {
        int b;
        if (hitMarker || pos >= d.length) {
            b = 0; // libjpeg feeds zeros past the end of entropy-coded data
            if (pos >= d.length) {
                throw new Corrupt("truncated entropy-coded data");
            }
        } else {
            b = d[pos] & 0xFF;
            if (b == 0xFF) {
                int next = pos + 1 < d.length ? d[pos + 1] & 0xFF : -1;
                if (next == 0) {
                    pos += 2;
                } else {
                    hitMarker = true;
                    b = 0;
                }
            } else {
                pos++;
            }
        }
        bitBuf = (bitBuf << 8) | b;
        bitCount += 8;
    }

    /** The next {@code n ≤ 16} bits, not consumed. */
    private int peek(int n) {
        while (bitCount < n) {
            fill();
        }
        return (bitBuf >>> (bitCount - n)) & ((1 << n) - 1);
    }

    private int bits(int n) {
        if (n == 0) {
            return 0;
        }
        int v = peek(n);
        bitCount -= n;
        return v;
    }

    private int decodeHuffman(Huffman t) {
        if (t == null) {
            throw new Corrupt("scan uses an undefined Huffman table");
        }
        int hit = t.fast[peek(LOOKAHEAD)];
        if (hit != 0) {
            bitCount -= hit >> 8;
            return hit & 0xFF;
        }
        int code = bit();
        int len = 1;
        while (len <= 16 && code > t.maxCode[len]) {
            code = (code << 1) | bit();
            len++;
        }
        if (len > 16) {
            throw new Corrupt("bad Huffman code");
        }
        return t.values[t.valPtr[len] + code - t.minCode[len]];
    }

    private static int extend(int v, int s) {
        return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }

    private int receiveExtend(int s) {
        return s == 0 ? 0 : extend(bits(s), s);
    }

    private void decodeBlock(Component c, int off, int ss, int se, int ah, int al) {
        short[] z = c.coef;
        if (!progressive) {
            int t = decodeHuffman(dcTables[c.dcTable]);
            c.pred += receiveExtend(t);
            z[off] = (short) c.pred;
            Huffman ac = acTables[c.acTable];
            for (int k = 1; k < 64; ) {
                int rs = decodeHuffman(ac);
                int r = rs >> 4;
                int s = rs & 15;
                if (s == 0) {
                    if (r < 15) {
                        break;
                    }
                    k += 16;
                    continue;
                }
                k += r;
                if (k > 63) {
                    throw new Corrupt("bad AC coefficient index");
                }
                z[off + ZIGZAG[k]] = (short) receiveExtend(s);
                k++;
            }
            return;
        }
        if (ss == 0) {
            if (ah == 0) {
                int t = decodeHuffman(dcTables[c.dcTable]);
                c.pred += receiveExtend(t);
                z[off] = (short) (c.pred << al);
            } else if (bit() != 0) {
                z[off] |= (short) (1 << al);
            }
            return;
        }
        if (ah == 0) {
            acFirst(c, z, off, ss, se, al);
        } else {
            acRefine(c, z, off, ss, se, al);
        }
    }

    private void acFirst(Component c, short[] z, int off, int ss, int se, int al) {
        if (eobrun > 0) {
            eobrun--;
            return;
        }
        Huffman ac = acTables[c.acTable];
        for (int k = ss; k <= se; ) {
            int rs = decodeHuffman(ac);
            int r = rs >> 4;
            int s = rs & 15;
            if (s == 0) {
                if (r < 15) {
                    eobrun = (1 << r) - 1;
                    if (r > 0) {
                        eobrun += bits(r);
                    }
                    break;
                }
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) {
                throw new Corrupt("bad AC coefficient index");
            }
            z[off + ZIGZAG[k]] = (short) (receiveExtend(s) * (1 << al));
            k++;
        }
    }

    private void acRefine(Component c, short[] z, int off, int ss, int se, int al) {
        int p1 = 1 << al;
        int m1 = -1 << al;
        int k = ss;
        if (eobrun <= 0) {
            Huffman ac = acTables[c.acTable];
            for (; k <= se; ) {
                int rs = decodeHuffman(ac);
                int r = rs >> 4;
                int s = rs & 15;
                int value = 0;
                if (s != 0) {
                    if (s != 1) {
                        throw new Corrupt("bad refinement coefficient size");
                    }
                    value = bit() != 0 ? p1 : m1;
                } else if (r != 15) {
                    eobrun = 1 << r;
                    if (r > 0) {
                        eobrun += bits(r);
                    }
                    break;
                }
                do {
                    int idx = off + ZIGZAG[k];
                    if (z[idx] != 0) {
                        if (bit() != 0 && (z[idx] & p1) == 0) {
                            z[idx] += (short) (z[idx] >= 0 ? p1 : m1);
                        }
                    } else {
                        if (--r < 0) {
                            break;
                        }
                    }
                    k++;
                } while (k <= se);
                if (value != 0 && k <= se) {
                    z[off + ZIGZAG[k]] = (short) value;
                }
                k++;
            }
        }
        if (eobrun > 0) {
            for (; k <= se; k++) {
                int idx = off + ZIGZAG[k];
                if (z[idx] != 0 && bit() != 0 && (z[idx] & p1) == 0) {
                    z[idx] += (short) (z[idx] >= 0 ? p1 : m1);
                }
            }
            eobrun--;
        }
    }

    // ------------------------------------------------------------------ reconstruction

    private RgbImage output() throws Unsupported {
        byte[][] planes = new byte[comps.length][];
        int[] ws = new int[64];
        for (int i = 0; i < comps.length; i++) {
            Component c = comps[i];
            if (quant[c.quantIndex] == null) {
                throw new Corrupt("missing quantisation table " + c.quantIndex);
            }
            int[] mult = JpegIdctFast.multipliers(quant[c.quantIndex]);
            int stride = c.blocksPerLine * 8;
            byte[] plane = new byte[stride * c.blocksPerColumn * 8];
            for (int br = 0; br < c.blocksPerColumn; br++) {
                for (int bc = 0; bc < c.blocksPerLine; bc++) {
                    JpegIdctFast.idct(c.coef, (br * c.blocksPerLine + bc) * 64, mult, ws, plane,
                            br * 8 * stride + bc * 8, stride);
                }
            }
            planes[i] = plane;
        }
        byte[] out = new byte[width * height * 3];
        if (comps.length == 1) {
            int stride = comps[0].blocksPerLine * 8;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    byte g = planes[0][y * stride + x];
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
            full[i] = JpegUpsampler.upsample(comps[i].h, comps[i].v, hMax, vMax, planes[i],
                    comps[i].blocksPerLine * 8, comps[i].width, comps[i].height, width, height);
            if (full[i] == null) {
                throw new Unsupported("sampling factors " + comps[i].h + "×" + comps[i].v + " of " + hMax + "×" + vMax);
            }
        }
        boolean rgb = isRgb();
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

    /** libjpeg's guess of the colour space of a 3-component file (jdapimin.c default_decompress_parms). */
    private boolean isRgb() {
        if (jfif) {
            return false;
        }
        if (adobe) {
            return adobeTransform == 0;
        }
        return comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B';
    }

    static boolean isJpeg(byte[] data) {
        return data.length > 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF;
    }

    @Override
    public String toString() {
        return "JpegDecoder" + Arrays.toString(new int[] {width, height});
    }
}
