package paligemma4j.model.image;

/**
 * Reads entropy-coded data bit by bit, MSB first: unstuffs {@code FF 00}, stops at a marker and
 * then feeds zero bits as libjpeg does; decodes Huffman symbols and their appended magnitude bits.
 */
final class JpegBitReader {
    private final JpegInput in;
    private final byte[] d;
    private int bitBuf;
    private int bitCount;
    private boolean hitMarker;

    JpegBitReader(JpegInput in) {
        this.in = in;
        this.d = in.data;
    }

    /** Starts a scan: drops buffered bits. */
    void reset() {
        bitBuf = 0;
        bitCount = 0;
        hitMarker = false;
    }

    /** Drops buffered bits and moves past the next RSTn marker. */
    void restart() {
        reset();
        in.skipPastRestartMarker();
    }

    /** After a scan: leaves the cursor at the marker that follows the entropy-coded data. */
    void finishScan() {
        if (!hitMarker) {
            in.skipToSegmentMarker();
        }
    }

    int bit() {
        if (bitCount == 0) {
            fill();
        }
        bitCount--;
        return (bitBuf >> bitCount) & 1;
    }

    private void fill() {
        int b;
        int pos = in.pos;
        if (hitMarker || pos >= d.length) {
            b = 0; // libjpeg feeds zeros past the end of entropy-coded data
            if (pos >= d.length) {
                throw new JpegDecoder.Corrupt("truncated entropy-coded data");
            }
        } else {
            b = d[pos] & 0xFF;
            if (b == 0xFF) {
                int next = pos + 1 < d.length ? d[pos + 1] & 0xFF : -1;
                if (next == 0) {
                    in.pos = pos + 2;
                } else {
                    hitMarker = true;
                    b = 0;
                }
            } else {
                in.pos = pos + 1;
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

    int bits(int n) {
        if (n == 0) {
            return 0;
        }
        int v = peek(n);
        bitCount -= n;
        return v;
    }

    int decodeHuffman(JpegHuffman t) {
        if (t == null) {
            throw new JpegDecoder.Corrupt("scan uses an undefined Huffman table");
        }
        int hit = t.fast[peek(JpegHuffman.LOOKAHEAD)];
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
            throw new JpegDecoder.Corrupt("bad Huffman code");
        }
        return t.values[t.valPtr[len] + code - t.minCode[len]];
    }

    /** The next {@code s} bits as a signed magnitude-category value (JPEG's RECEIVE then EXTEND). */
    int receiveExtend(int s) {
        return s == 0 ? 0 : extend(bits(s), s);
    }

    private static int extend(int v, int s) {
        return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }
}
