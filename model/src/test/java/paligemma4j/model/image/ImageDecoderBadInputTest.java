package paligemma4j.model.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files give one clear line naming the file; synthetic in-memory images decode as documented. */
class ImageDecoderBadInputTest {

    @TempDir
    Path dir;

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.jpg");
        assertThatThrownBy(() -> ImagePreprocessor.preprocess(missing, 224, Resize.BILINEAR))
                .isInstanceOf(ImageException.class)
                .hasMessage("image " + missing + ": no such file");
    }

    @Test
    void directoryIsNotAnImage() {
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(dir))
                .isInstanceOf(ImageException.class)
                .hasMessage("image " + dir + ": not a file (a directory), expected a JPEG, PNG, BMP or GIF file");
    }

    @Test
    void textFileIsNotAnImage() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.png"), "this is not an image\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(text))
                .isInstanceOf(ImageException.class)
                .hasMessage("image " + text + ": not an image: looks like text, expected JPEG, PNG, BMP or GIF data");
    }

    @Test
    void emptyFileIsNotAnImage() throws Exception {
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(empty))
                .isInstanceOf(ImageException.class)
                .hasMessage("image " + empty + ": not an image: empty file, expected JPEG, PNG, BMP or GIF data");
    }

    @Test
    void aPipeOrDeviceIsNotAFile() throws Exception {
        Path fifo = dir.resolve("pipe.jpg");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(fifo))
                .hasMessage("image " + fifo + ": not a file (a device, pipe or socket), expected a JPEG, PNG, BMP or GIF file");
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(Path.of("/dev/zero")))
                .hasMessage("image /dev/zero: not a file (a device, pipe or socket), expected a JPEG, PNG, BMP or GIF file");
    }

    @Test
    void aCheckpointOrZipGivenAsImageIsNamed() throws Exception {
        Path zip = Files.write(dir.resolve("w.jpg"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(zip))
                .hasMessage("image " + zip + ": not an image: looks like a ZIP archive, expected JPEG, PNG, BMP or GIF data");
    }

    @Test
    void aPngClaimingBillionsOfPixelsIsRefusedBeforeAllocating() throws Exception {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        png.write(new byte[] {0, 0, 0, 13});
        png.write(ihdr.array());
        png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        Path p = Files.write(dir.resolve("huge.png"), png.toByteArray());
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(p))
                .hasMessage("image " + p + ": 100000×100000 pixels in 33 bytes, expected between 1 and 268435456 pixels and at most 10000 per byte");
    }

    @Test
    void truncatedPngIsCorrupt() throws Exception {
        byte[] png = Files.readAllBytes(Golden.path("inputs/noise_64x48.png"));
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(cut))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("image " + cut + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void truncatedJpegIsCorruptNotGreyFilled() throws Exception {
        byte[] jpg = Files.readAllBytes(Golden.path("inputs/jpeg420_q90_96x128.jpg"));
        Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(cut))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("image " + cut + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void garbageAfterJpegMagicIsCorrupt() throws Exception {
        byte[] junk = new byte[400];
        Arrays.fill(junk, (byte) 0x5A);
        junk[0] = (byte) 0xFF;
        junk[1] = (byte) 0xD8;
        junk[2] = (byte) 0xFF;
        Path bad = Files.write(dir.resolve("junk.jpg"), junk);
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(bad))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("image " + bad + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void corruptedJpegBytesNeverEscapeAsRawExceptions() throws Exception {
        // 300 seeded mutations of a progressive and a baseline JPEG: each decodes or fails as ImageException.
        java.util.Random rnd = new java.util.Random(12345);
        int failures = 0;
        for (String name : new String[] {"jpeg420_q85_prog_opt_150x230.jpg", "jpeg420_q30_restart_64x80.jpg"}) {
            byte[] good = Files.readAllBytes(Golden.path("inputs/" + name));
            for (int trial = 0; trial < 150; trial++) {
                byte[] bad = good.clone();
                int edits = 1 + rnd.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    bad[2 + rnd.nextInt(bad.length - 2)] = (byte) rnd.nextInt(256);
                }
                Path f = Files.write(dir.resolve("m" + trial + ".jpg"), bad);
                try {
                    RgbImage img = ImageDecoder.decodeRgb(f);
                    assertThat(img.pixels()).hasSize(img.height() * img.width() * 3);
                } catch (ImageException e) {
                    assertThat(e.getMessage()).startsWith("image " + f + ": ").doesNotContain("\n");
                    failures++;
                }
            }
        }
        assertThat(failures).isGreaterThan(0);
    }

    @Test
    void cmykJpegIsRejectedClearly() {
        Path cmyk = Golden.path("bad/cmyk_20x24.jpg");
        assertThatThrownBy(() -> ImageDecoder.decodeRgb(cmyk))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("image " + cmyk + ": ")
                .hasMessageContaining("CMYK");
    }

    @Test
    void greyBufferedImageIsReplicatedWithoutGammaConversion() {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] levels = {0, 1, 50, 128, 200, 255};
        grey.getRaster().setSamples(0, 0, 3, 2, 0, levels);
        RgbImage rgb = ImageDecoder.toRgb(grey, "grey");
        for (int i = 0; i < levels.length; i++) {
            for (int c = 0; c < 3; c++) {
                assertThat(rgb.get(i / 3, i % 3, c)).isEqualTo(levels[i]);
            }
        }
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00FF8040); // fully transparent, colour kept
        argb.setRGB(1, 0, 0x80102030);
        RgbImage rgb = ImageDecoder.toRgb(argb, "argb");
        assertThat(new int[] {rgb.get(0, 0, 0), rgb.get(0, 0, 1), rgb.get(0, 0, 2)}).containsExactly(0xFF, 0x80, 0x40);
        assertThat(new int[] {rgb.get(0, 1, 0), rgb.get(0, 1, 1), rgb.get(0, 1, 2)}).containsExactly(0x10, 0x20, 0x30);
    }

    @Test
    void bufferedImageEntryMatchesRgbEntry() {
        BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                img.setRGB(x, y, (x * 50) << 16 | (y * 60) << 8 | (x + y) * 20);
            }
        }
        float[] a = ImagePreprocessor.preprocess(img, 14, Resize.BILINEAR_ANTIALIAS);
        float[] b = ImagePreprocessor.preprocess(ImageDecoder.toRgb(img, "x"), 14, Resize.BILINEAR_ANTIALIAS);
        assertThat(a).hasSize(14 * 14 * 3).containsExactly(b);
        assertThat(ImageDecoder.toRgb(img, "x").get(3, 4, 0)).isEqualTo(200);
        assertThat(ImageDecoder.toRgb(img, "x").get(3, 4, 2)).isEqualTo(140);
    }

    @Test
    void badArgumentsAreOneLine() {
        RgbImage one = new RgbImage(1, 1, new byte[3]);
        assertThatThrownBy(() -> ImagePreprocessor.preprocess(one, 0, Resize.BILINEAR))
                .hasMessage("image resolution must be positive, got 0");
        assertThatThrownBy(() -> new RgbImage(2, 2, new byte[5]))
                .hasMessage("RGB buffer has 5 bytes, expected 2×2×3 = 12");
        assertThatThrownBy(() -> Resize.parse("bicubic"))
                .hasMessage("unknown resize method 'bicubic': expected bilinear or bilinear-antialias");
        assertThat(Resize.parse("bilinear-antialias")).isEqualTo(Resize.BILINEAR_ANTIALIAS);
    }
}
