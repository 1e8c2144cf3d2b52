package paligemma4j.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import paligemma4j.model.output.VqVaeDecoder;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.output.BoxConvention;
import org.junit.jupiter.api.Test;

/** overlay.png checked pixel by pixel on known answers over a 64×64 gradient. */
class OverlayTest {
    static final Path VAE = Path.of("src", "test", "resources", "eval", "refcoco", "vae-oid.npz");
    static final int BLUE = 0x1F77B4;   // first palette colour
    static final String SEG = "<seg010><seg020><seg030><seg040><seg050><seg060><seg070><seg080>"
            + "<seg090><seg100><seg110><seg120><seg005><seg015><seg025><seg035>";

    /** Pixel (y, x) = (R 4x, G 4y, B 128). */
    static RgbImage gradient() {
        byte[] px = new byte[64 * 64 * 3];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                px[(y * 64 + x) * 3] = (byte) (4 * x);
                px[(y * 64 + x) * 3 + 1] = (byte) (4 * y);
                px[(y * 64 + x) * 3 + 2] = (byte) 128;
            }
        }
        return new RgbImage(64, 64, px);
    }

    static int imagePixel(int y, int x) {
        return 4 * x << 16 | 4 * y << 8 | 128;
    }

    static int mix(int under, int over) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int a = under >> shift & 0xFF, b = over >> shift & 0xFF;
            out |= ((a * 145 + b * 110 + 127) / 255) << shift;
        }
        return out;
    }

    /** Box rows/cols 16…47 (big_vision: int(256/1023·64) = 16, int(768/1023·64) = 48), 2 px outline. */
    static boolean onBorder(int y, int x) {
        boolean inBox = y >= 16 && y < 48 && x >= 16 && x < 48;
        return inBox && (y < 18 || y >= 46 || x < 18 || x >= 46);
    }

    /** The label tag: 9×12 px at rows 4…15, columns 16…24 (above the box), white "a" on blue. */
    static Integer tagPixel(int y, int x) {
        if (y < 4 || y >= 16 || x < 16 || x >= 25) return null;
        int gx = x - 17, gy = y - 4;
        boolean ink = gx >= 0 && gx < BitmapFont.WIDTH && BitmapFont.ink('a', gx, gy);
        return ink ? 0xFFFFFF : BLUE;
    }

    static int rgb(BufferedImage img, int y, int x) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void detectionBoxLabelAndLegendPixels() {
        TaskOutput t = TaskOutput.of(gradient(), "detect a", "<loc0256><loc0256><loc0768><loc0768> a",
                BoxConvention.BIG_VISION, null);
        BufferedImage img = Overlay.render(t);
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(img.getHeight()).isEqualTo(64 + 16 + 2);   // one legend line of 16 px and a 2 px margin
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                Integer tag = tagPixel(y, x);
                int expected = tag != null ? tag : onBorder(y, x) ? BLUE : imagePixel(y, x);
                assertThat(rgb(img, y, x)).as("pixel y=%d x=%d", y, x).isEqualTo(expected);
            }
        }
        // legend: an 8×8 swatch at rows 67…74, columns 1…8, then black text from column 13
        for (int y = 64; y < img.getHeight(); y++) {
            for (int x = 0; x < 13; x++) {
                boolean swatch = y >= 67 && y < 75 && x >= 1 && x < 9;
                assertThat(rgb(img, y, x)).as("legend y=%d x=%d", y, x).isEqualTo(swatch ? BLUE : 0xFFFFFF);
            }
            for (int x = 13; x < 64; x++) {
                int gx = x - 13, gy = y - 67;
                boolean ink = gx >= 0 && gx < BitmapFont.WIDTH && gy >= 0 && gy < BitmapFont.HEIGHT && BitmapFont.ink('a', gx, gy);
                assertThat(rgb(img, y, x)).as("legend y=%d x=%d", y, x).isEqualTo(ink ? 0 : 0xFFFFFF);
            }
        }
    }

    @Test
    void maskIsBlendedInsideTheBoxOnly() {
        VqVaeDecoder vae = VqVaeDecoder.load(VAE);
        TaskOutput t = TaskOutput.of(gradient(), "segment a", "<loc0256><loc0256><loc0768><loc0768>" + SEG + " a",
                BoxConvention.BIG_VISION, vae);
        boolean[] mask = t.masks().get(0);
        int on = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (mask[y * 64 + x]) {
                    on++;
                    assertThat(y >= 16 && y < 48 && x >= 16 && x < 48).as("mask pixel y=%d x=%d inside the box", y, x).isTrue();
                }
            }
        }
        assertThat(on).as("mask pixels").isBetween(1, 32 * 32 - 1);
        BufferedImage img = Overlay.render(t);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                Integer tag = tagPixel(y, x);
                int expected = tag != null ? tag : onBorder(y, x) ? BLUE
                        : mask[y * 64 + x] ? mix(imagePixel(y, x), BLUE) : imagePixel(y, x);
                assertThat(rgb(img, y, x)).as("pixel y=%d x=%d", y, x).isEqualTo(expected);
            }
        }
    }

    @Test
    void noObjectsGivesTheAnswerTextInTheLegend() {
        TaskOutput t = TaskOutput.of(gradient(), "detect a", "nothing here", BoxConvention.BIG_VISION, null);
        assertThat(t.warnings()).singleElement().asString().contains("reported as text");
        // 64 px hold (64 − 2) / 7 = 8 characters
        assertThat(Overlay.legendLines(t, Overlay.labelColors(t.objects()), 64, 1)).containsExactly("no ob...");
        BufferedImage img = Overlay.render(t);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) assertThat(rgb(img, y, x)).isEqualTo(imagePixel(y, x));
        }
    }
}
