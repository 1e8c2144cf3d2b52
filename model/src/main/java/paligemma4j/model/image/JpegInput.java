package paligemma4j.model.image;

/** A cursor over the bytes of a JPEG file, shared by the segment parsers and the entropy decoder. */
final class JpegInput {
    final byte[] data;
    int pos;

    JpegInput(byte[] data) {
        this.data = data;
    }

    int u8() {
        if (pos >= data.length) {
            throw new JpegDecoder.Corrupt("truncated file");
        }
        return data[pos++] & 0xFF;
    }

    int u16() {
        return (u8() << 8) | u8();
    }

    void skip(int n) {
        if (n < 0 || pos + n > data.length) {
            throw new JpegDecoder.Corrupt("truncated segment");
        }
        pos += n;
    }

    /** Whether the bytes at the cursor spell {@code ascii}; does not move. */
    boolean startsWith(String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (data[pos + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The code of the next marker ({@code FF xx}), skipping fill bytes and garbage between segments. */
    int nextMarker() {
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

    /** Moves just past the next RSTn marker (or to the end). */
    void skipPastRestartMarker() {
        while (pos + 1 < data.length) {
            if ((data[pos] & 0xFF) == 0xFF && (data[pos + 1] & 0xFF) >= 0xD0 && (data[pos + 1] & 0xFF) <= 0xD7) {
                pos += 2;
                return;
            }
            pos++;
        }
    }

    /** Moves to the next marker that is neither a stuffed zero nor RSTn (or to the end). */
    void skipToSegmentMarker() {
        while (pos < data.length && !((data[pos] & 0xFF) == 0xFF && pos + 1 < data.length && (data[pos + 1] & 0xFF) != 0
                && ((data[pos + 1] & 0xFF) < 0xD0 || (data[pos + 1] & 0xFF) > 0xD7))) {
            pos++;
        }
    }
}
