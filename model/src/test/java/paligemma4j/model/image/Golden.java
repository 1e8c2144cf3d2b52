package paligemma4j.model.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/** Reads the TF golden fixtures made by scripts/image/make_image_fixtures.py. */
final class Golden {

    /** One resize reference: TF's uint8 output (and, for small R, its float32 output). */
    record Output(int resolution, boolean antialias, String u8, String f32) {
        Resize mode() {
            return antialias ? Resize.BILINEAR_ANTIALIAS : Resize.BILINEAR;
        }
    }

    /** One input image and everything TF produced from it. */
    record Case(String name, String file, String format, int height, int width, boolean jpeg,
                String decodedSha256, String decoded, String decodedAccurate, List<Output> outputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Path ROOT = root();

    private Golden() {
    }

    private static Path root() {
        try {
            return Path.of(Golden.class.getResource("/image/golden/manifest.json").toURI()).getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static List<Case> cases() {
        try {
            JsonNode root = new ObjectMapper().readTree(path("golden/manifest.json").toFile());
            List<Case> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                List<Output> outputs = new ArrayList<>();
                for (JsonNode o : c.get("outputs")) {
                    outputs.add(new Output(o.get("resolution").asInt(), o.get("antialias").asBoolean(),
                            o.get("u8").asText(), o.get("f32").isNull() ? null : o.get("f32").asText()));
                }
                out.add(new Case(c.get("name").asText(), c.get("file").asText(), c.get("format").asText(),
                        c.get("height").asInt(), c.get("width").asInt(), c.get("jpeg").asBoolean(),
                        c.get("decodedSha256").asText(), text(c, "decoded"), text(c, "decodedAccurate"), outputs));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Asserts equal bytes, reporting the mismatch count and the first mismatch instead of both arrays. */
    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": " + actual.length + " bytes, expected " + expected.length);
        }
        int first = -1;
        int count = 0;
        int max = 0;
        for (int i = 0; i < actual.length; i++) {
            int d = Math.abs((actual[i] & 0xFF) - (expected[i] & 0xFF));
            if (d != 0) {
                count++;
                max = Math.max(max, d);
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (count > 0) {
            throw new AssertionError(what + ": " + count + " of " + actual.length + " bytes differ (max |Δ| " + max
                    + "); first at index " + first + ": " + (actual[first] & 0xFF) + " vs " + (expected[first] & 0xFF));
        }
    }

    /** An 8-bit RGB PNG written by the script, read sample by sample (no colour conversion). */
    static RgbImage png(String relative) {
        try {
            BufferedImage img = ImageIO.read(path(relative).toFile());
            Raster r = img.getRaster();
            int h = img.getHeight();
            int w = img.getWidth();
            byte[] px = new byte[h * w * 3];
            int[] s = new int[3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    r.getPixel(x, y, s);
                    for (int c = 0; c < 3; c++) {
                        px[(y * w + x) * 3 + c] = (byte) s[c];
                    }
                }
            }
            return new RgbImage(h, w, px);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A gzipped little-endian float32 array. */
    static float[] f32gz(String relative) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(path(relative)))) {
            return floats(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
