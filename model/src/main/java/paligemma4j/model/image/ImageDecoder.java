package paligemma4j.model.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * Decodes JPEG, PNG, BMP and GIF files to 8-bit RGB exactly as
 * {@code tf.io.decode_image(channels=3, expand_animations=False)} does (docs/model.md#image-preprocessing, step 1).
 * JPEGs go through {@link JpegDecoder}, which reproduces TF's default libjpeg-turbo decode
 * (fast integer IDCT) bit for bit; JPEG features it lacks (arithmetic coding, 12-bit, CMYK …)
 * and all other formats use the JDK's {@code javax.imageio} with these rules:
 * <ul>
 *   <li>grey is replicated to R = G = B, with no gamma conversion (the raw sample, not
 *       {@code getRGB}, which would linearise the grey colour space);</li>
 *   <li>an alpha channel is dropped without compositing; colour samples are taken as stored
 *       (embedded ICC profiles are ignored, as TF ignores them);</li>
 *   <li>16-bit samples keep their high byte ({@code v >> 8});</li>
 *   <li>paletted images are expanded through the palette;</li>
 *   <li>GIF: only the first frame, at its own size, drawn at its offset on black (as TF does);
 *       its transparent colour index decodes to black (TF fills transparent pixels of the first
 *       frame with 0).</li>
 * </ul>
 * CMYK/YCCK JPEGs and other colour spaces are rejected with a clear message. Any decoder
 * warning (e.g. a truncated JPEG, which ImageIO would otherwise grey-fill) is an error, as in TF.
 */
public final class ImageDecoder {

    private ImageDecoder() {
    }

    /** Reads and decodes {@code file}; every failure is an {@link ImageException} naming the file. */
    public static RgbImage decodeRgb(Path file) {
        if (!Files.exists(file)) {
            throw new ImageException("image " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new ImageException("image " + file + ": not a file (" + (Files.isDirectory(file) ? "a directory" : "a device, pipe or socket")
                    + "), expected a JPEG, PNG, BMP or GIF file");
        }
        byte[] data;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ImageException("image " + file + ": " + size + " bytes, more than the " + MAX_FILE_BYTES + " read");
            }
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageException("image " + file + ": not readable (" + oneLine(String.valueOf(e.getMessage())) + ")", e);
        }
        return decodeRgb(file, data);
    }

    /** Most pixels a byte of PNG, GIF or BMP data can expand to (1-bit PNG through DEFLATE: about 8,300). */
    static final long MAX_PIXELS_PER_BYTE = 10_000;

    /** Largest image file read: bounds the allocation. */
    static final long MAX_FILE_BYTES = 1L << 30;

    /** Decodes the bytes {@code data} of {@code file} (which only names it in errors). */
    public static RgbImage decodeRgb(Path file, byte[] data) {
        if (!paligemma4j.checkpoint.FileSignature.isImage(data)) {
            byte[] head = java.util.Arrays.copyOf(data, Math.min(data.length, 16));
            throw new ImageException("image " + file + ": not an image: "
                    + (data.length == 0 ? "empty file" : "looks like " + paligemma4j.checkpoint.FileSignature.describe(head))
                    + ", expected JPEG, PNG, BMP or GIF data");
        }
        if (JpegDecoder.isJpeg(data)) {
            try {
                return JpegDecoder.decode(data);
            } catch (JpegDecoder.Unsupported e) {
                // a JPEG feature outside the TF-exact decoder: ImageIO decodes it (accurate IDCT)
            } catch (JpegDecoder.Corrupt e) {
                throw new ImageException("image " + file + ": corrupt jpeg data (" + e.getMessage() + ")", e);
            } catch (RuntimeException e) { // a malformed stream the checks above did not anticipate
                throw new ImageException("image " + file + ": corrupt jpeg data (" + e + ")", e);
            }
        }
        return decodeWithImageIO(file, data);
    }

    /** The {@code javax.imageio} path (PNG, BMP, GIF, and JPEGs the TF-exact decoder does not handle). */
    static RgbImage decodeWithImageIO(Path file, byte[] data) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(data))) {
            if (in == null) {
                throw new ImageException("image " + file + ": cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException("image " + file
                        + ": not a supported image (expected JPEG, PNG, BMP or GIF data)");
            }
            ImageReader reader = readers.next();
            try {
                return decode(reader, in, file, data.length);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (why.contains("Unsupported Image Type")) {
                why += ": CMYK/YCCK JPEG, expected RGB or grey";
            }
            throw new ImageException("image " + file + ": cannot decode (" + oneLine(why) + ")", e);
        }
    }

    private static RgbImage decode(ImageReader reader, ImageInputStream in, Path file, long bytes) throws IOException {
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
        reader.setInput(in, true, false);
        String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > JpegFrame.MAX_PIXELS || pixels <= 0 || pixels > MAX_PIXELS_PER_BYTE * bytes + (1 << 16)) {
            throw new ImageException("image " + file + ": " + reader.getWidth(0) + "×" + reader.getHeight(0)
                    + " pixels in " + bytes + " bytes, expected between 1 and " + JpegFrame.MAX_PIXELS
                    + " pixels and at most " + MAX_PIXELS_PER_BYTE + " per byte");
        }
        BufferedImage img = reader.read(0);
        if (!warnings.isEmpty()) {
            throw new ImageException("image " + file + ": corrupt " + format + " data (" + oneLine(warnings.get(0)) + ")");
        }
        if (format.equals("gif")) {
            return placeOnScreen(gifFrame(img), reader, file);
        }
        return toRgb(img, file.toString());
    }

    /**
     * Converts a decoded {@link BufferedImage} to 8-bit RGB with the rules in the class comment.
     * {@code name} only labels error messages.
     */
    public static RgbImage toRgb(BufferedImage img, String name) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[h * w * 3];
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = (y * w + x) * 3;
                    out[i] = (byte) icm.getRed(row[x]);
                    out[i + 1] = (byte) icm.getGreen(row[x]);
                    out[i + 2] = (byte) icm.getBlue(row[x]);
                }
            }
            return new RgbImage(h, w, out);
        }
        int csType = cm.getColorSpace().getType();
        boolean component = cm instanceof ComponentColorModel || cm instanceof DirectColorModel;
        if (!component || (csType != ColorSpace.TYPE_RGB && csType != ColorSpace.TYPE_GRAY)) {
            throw new ImageException("image " + name + ": unsupported colour space "
                    + colourSpaceName(csType) + " with " + cm.getNumComponents()
                    + " components (expected RGB or grey, optionally with alpha)");
        }
        int colours = cm.getNumColorComponents();
        int[] bits = cm.getComponentSize();
        for (int c = 0; c < colours; c++) {
            if (bits[c] != 8 && bits[c] != 16) {
                return fromArgb(img, name);
            }
        }
        int[][] bands = new int[colours][w];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < colours; c++) {
                raster.getSamples(0, y, w, 1, c, bands[c]);
            }
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    int band = colours == 1 ? 0 : c;
                    int v = bands[band][x];
                    out[i + c] = (byte) (bits[band] == 16 ? v >>> 8 : v);
                }
            }
        }
        if (cm.isAlphaPremultiplied() && cm.hasAlpha()) {
            throw new ImageException("image " + name + ": premultiplied alpha is not supported");
        }
        return new RgbImage(h, w, out);
    }

    /** Packed-pixel images with component sizes other than 8/16 bits (e.g. 5-6-5 BMP): use the colour model. */
    private static RgbImage fromArgb(BufferedImage img, String name) {
        if (img.getColorModel().getColorSpace().getType() != ColorSpace.TYPE_RGB) {
            throw new ImageException("image " + name + ": unsupported sample layout " + img.getColorModel());
        }
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                int i = (y * w + x) * 3;
                out[i] = (byte) (argb >>> 16);
                out[i + 1] = (byte) (argb >>> 8);
                out[i + 2] = (byte) argb;
            }
        }
        return new RgbImage(h, w, out);
    }

    /** A GIF frame through its palette; the transparent index gives black, as in TF's GIF decoder. */
    private static RgbImage gifFrame(BufferedImage img) {
        if (!(img.getColorModel() instanceof IndexColorModel icm)) {
            return toRgb(img, "gif frame");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        int transparent = icm.getTransparentPixel();
        byte[] out = new byte[h * w * 3];
        int[] row = new int[w];
        Raster raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                if (row[x] == transparent) {
                    continue;
                }
                int i = (y * w + x) * 3;
                out[i] = (byte) icm.getRed(row[x]);
                out[i + 1] = (byte) icm.getGreen(row[x]);
                out[i + 2] = (byte) icm.getBlue(row[x]);
            }
        }
        return new RgbImage(h, w, out);
    }

    /**
     * GIF: TF's decoder (measured with TF 2.21) returns an image of the first frame's own size, with
     * the frame drawn at its (left, top) offset, clipped, on black — not the logical screen.
     */
    private static RgbImage placeOnScreen(RgbImage frame, ImageReader reader, Path file) throws IOException {
        IIOMetadata image = reader.getImageMetadata(0);
        int left = 0;
        int top = 0;
        if (image != null) {
            Node desc = child(image.getAsTree("javax_imageio_gif_image_1.0"), "ImageDescriptor");
            if (desc != null) {
                left = attr(desc, "imageLeftPosition", 0);
                top = attr(desc, "imageTopPosition", 0);
            }
        }
        if (left == 0 && top == 0) {
            return frame;
        }
        int h = frame.height();
        int w = frame.width();
        byte[] canvas = new byte[h * w * 3];
        for (int y = 0; y + top < h; y++) {
            int n = Math.max(0, w - left);
            System.arraycopy(frame.pixels(), y * w * 3, canvas, ((y + top) * w + left) * 3, n * 3);
        }
        return new RgbImage(h, w, canvas);
    }

    private static Node child(Node parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(name)) {
                return n;
            }
        }
        return null;
    }

    private static int attr(Node node, String name, int fallback) {
        Node a = node.getAttributes().getNamedItem(name);
        return a == null ? fallback : Integer.parseInt(a.getNodeValue());
    }

    private static String colourSpaceName(int type) {
        return switch (type) {
            case ColorSpace.TYPE_CMYK -> "CMYK";
            case ColorSpace.TYPE_YCbCr -> "YCbCr";
            case ColorSpace.TYPE_GRAY -> "grey";
            case ColorSpace.TYPE_RGB -> "RGB";
            default -> "type " + type;
        };
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
