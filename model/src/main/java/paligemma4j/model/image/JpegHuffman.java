package paligemma4j.model.image;

/**
 * A canonical Huffman table as a (length, code) → symbol lookup, plus a direct table for codes of
 * at most {@link #LOOKAHEAD} bits: {@code fast[next 9 bits] = length << 8 | symbol}, 0 if longer.
 */
final class JpegHuffman {

    /** Bits looked up at once when decoding a Huffman code. */
    static final int LOOKAHEAD = 9;

    final int[] maxCode = new int[18];
    final int[] valPtr = new int[17];
    final int[] minCode = new int[17];
    final int[] values;
    final int[] fast = new int[1 << LOOKAHEAD];

    /** {@code counts[len]}: how many codes have {@code len} bits (1…16); {@code values}: their symbols in order. */
    JpegHuffman(int[] counts, int[] values) {
        this.values = values;
        int code = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++) {
            valPtr[len] = k;
            minCode[len] = code;
            if (code + counts[len] > (1 << len)) {
                throw new JpegDecoder.Corrupt("bad Huffman table (too many codes of length " + len + ")");
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
