package paligemma4j.model.image;

/**
 * A JPEG decoder that reproduces what TensorFlow's {@code tf.io.decode_image(channels=3)} returns
 * with its default settings (libjpeg-turbo, fast integer IDCT {@link JpegIdctFast}, "fancy"
 * triangle upsampling of subsampled chroma, libjpeg's fixed-point YCbCr → RGB). Handles baseline
 * and progressive Huffman-coded 8-bit JPEGs with 1 (grey) or 3 (YCbCr, or RGB per Adobe/component
 * ids) components and restart intervals. Anything else (arithmetic coding, 12-bit, lossless,
 * CMYK/YCCK, non-2× subsampling) raises {@link Unsupported}, and the caller falls back to ImageIO.
 *
 * <p>This class walks the markers; {@link JpegTables}, {@link JpegFrame} and {@link JpegScan} parse
 * the segments, and {@link JpegReconstruction} turns coefficients into pixels.
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

    private final JpegInput in;
    private final JpegTables tables = new JpegTables();
    private JpegFrame frame;
    private int restartInterval;
    private boolean adobe;
    private int adobeTransform = -1;
    private boolean jfif;

    private JpegDecoder(byte[] data) {
        this.in = new JpegInput(data);
    }

    /** Decodes {@code data} to RGB. */
    static RgbImage decode(byte[] data) throws Unsupported {
        return new JpegDecoder(data).run();
    }

    static boolean isJpeg(byte[] data) {
        return data.length > 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF;
    }

    private RgbImage run() throws Unsupported {
        if (in.u16() != 0xFFD8) {
            throw new Corrupt("missing SOI marker");
        }
        while (true) {
            int marker = in.nextMarker();
            switch (marker) {
                case 0xD9 -> {
                    if (frame == null) {
                        throw new Corrupt("no image data before EOI");
                    }
                    return JpegReconstruction.toRgb(frame, tables, isRgb());
                }
                case 0xC0, 0xC1, 0xC2 -> frame = JpegFrame.read(in, marker == 0xC2);
                case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                    throw new Unsupported(String.format("JPEG process SOF%d", marker - 0xC0));
                case 0xC4 -> tables.readHuffman(in);
                case 0xDB -> tables.readQuant(in);
                case 0xDD -> {
                    in.u16();
                    restartInterval = in.u16();
                }
                case 0xDA -> {
                    if (frame == null) {
                        throw new Corrupt("scan before frame header");
                    }
                    JpegScan.decode(in, frame, tables, restartInterval);
                }
                case 0xE0 -> {
                    int len = in.u16();
                    if (len >= 7 && in.startsWith("JFIF")) {
                        jfif = true;
                    }
                    in.skip(len - 2);
                }
                case 0xEE -> {
                    int len = in.u16();
                    if (len >= 14 && in.startsWith("Adobe")) {
                        adobe = true;
                        adobeTransform = in.data[in.pos + 11] & 0xFF;
                    }
                    in.skip(len - 2);
                }
                default -> {
                    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                        continue; // stray SOI / RST / TEM: no segment
                    }
                    in.skip(in.u16() - 2);
                }
            }
        }
    }

    /** libjpeg's guess of the colour space of a 3-component file (jdapimin.c default_decompress_parms). */
    private boolean isRgb() {
        JpegComponent[] comps = frame.components();
        if (comps.length != 3 || jfif) {
            return false;
        }
        if (adobe) {
            return adobeTransform == 0;
        }
        return comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B';
    }
}
