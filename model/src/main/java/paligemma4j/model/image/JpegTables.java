package paligemma4j.model.image;

/** The quantisation (DQT) and Huffman (DHT) tables defined so far, four slots each. */
final class JpegTables {

    static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60,
        61, 54, 47, 55, 62, 63};

    /** Quantisation tables in natural (row-major) order; null where undefined. */
    final int[][] quant = new int[4][];
    final JpegHuffman[] dc = new JpegHuffman[4];
    final JpegHuffman[] ac = new JpegHuffman[4];

    /** Reads a DQT segment (the cursor just past its marker). */
    void readQuant(JpegInput in) {
        int end = in.pos - 2 + in.u16();
        while (in.pos < end) {
            int pq = in.u8();
            int t = pq & 15;
            if (t > 3) {
                throw new JpegDecoder.Corrupt("bad quantisation table id " + t);
            }
            int[] q = new int[64];
            for (int i = 0; i < 64; i++) {
                q[ZIGZAG[i]] = (pq >> 4) == 0 ? in.u8() : in.u16();
            }
            quant[t] = q;
        }
    }

    /** Reads a DHT segment (the cursor just past its marker). */
    void readHuffman(JpegInput in) {
        int end = in.pos - 2 + in.u16();
        while (in.pos < end) {
            int tc = in.u8();
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = in.u8();
                total += counts[i];
            }
            if (total > 256) {
                throw new JpegDecoder.Corrupt("bad Huffman table");
            }
            int[] values = new int[total];
            for (int i = 0; i < total; i++) {
                values[i] = in.u8();
            }
            JpegHuffman table = new JpegHuffman(counts, values);
            if ((tc & 15) > 3) {
                throw new JpegDecoder.Corrupt("bad Huffman table id");
            }
            if ((tc >> 4) == 0) {
                dc[tc & 15] = table;
            } else {
                ac[tc & 15] = table;
            }
        }
    }
}
