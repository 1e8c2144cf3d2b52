package paligemma4j.model.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Java decode + resize versus TensorFlow 2.21 ({@code tf.io.decode_image}, {@code tf.image.resize}
 * bilinear with and without antialias, clip, cast to uint8) on the fixtures of
 * scripts/image/make_image_fixtures.py.
 */
class ImagePreprocessorGoldenTest {

    /**
     * Largest per-sample difference allowed between the ImageIO fallback's JPEG decode and TF's default
     * one (the main path, {@link JpegDecoder}, is exact). ImageIO equals TF's accurate integer IDCT
     * exactly; TF's default is libjpeg-turbo's fast IDCT (JDCT_IFAST), whose error grows with quality:
     * measured max |Δ| 2 (grey q75) … 4 (4:2:0 q85/q90) … 9 (4:4:4 q95) … on the fixtures.
     */
    static final int JPEG_MAX_TOLERANCE = 10;

    /** Mean |Δ| per sample allowed for the same comparison (measured 0.38 … 1.28). */
    static final double JPEG_MEAN_TOLERANCE = 1.5;

    static Stream<Golden.Case> cases() {
        return Golden.cases().stream();
    }

    static Stream<Golden.Case> jpegCases() {
        return cases().filter(Golden.Case::jpeg);
    }

    /** JPEGs up to quality 95; at quality 100 the fast IDCT is far off (see below). */
    static Stream<Golden.Case> jpegCasesUpToQ95() {
        return jpegCases().filter(c -> !c.name().contains("q100"));
    }

    @Test
    void manifestCoversTheRequiredVariety() {
        List<Golden.Case> all = Golden.cases();
        assertThat(all).hasSizeGreaterThanOrEqualTo(20);
        assertThat(all).extracting(Golden.Case::format).contains("png", "jpg", "bmp", "gif");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesExactlyLikeTensorFlow(Golden.Case c) throws Exception {
        RgbImage img = ImageDecoder.decodeRgb(Golden.path(c.file()));
        assertThat(img.height()).isEqualTo(c.height());
        assertThat(img.width()).isEqualTo(c.width());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.pixels()));
        assertThat(sha).as("SHA-256 of decoded HWC RGB bytes vs tf.io.decode_image").isEqualTo(c.decodedSha256());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resizeMatchesTensorFlowAtEveryPixel(Golden.Case c) {
        RgbImage img = ImageDecoder.decodeRgb(Golden.path(c.file()));
        for (Golden.Output o : c.outputs()) {
            RgbImage expected = Golden.png(o.u8());
            RgbImage actual = ImagePreprocessor.resizeToUint8(img, o.resolution(), o.resolution(), o.mode());
            Golden.assertSameBytes(actual.pixels(), expected.pixels(),
                    c.name() + " R=" + o.resolution() + " " + o.mode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resizeFloatsAreBitIdenticalToTensorFlow(Golden.Case c) {
        RgbImage img = ImageDecoder.decodeRgb(Golden.path(c.file()));
        for (Golden.Output o : c.outputs()) {
            if (o.f32() == null) {
                continue;
            }
            float[] expected = Golden.f32gz(o.f32());
            float[] actual = ImagePreprocessor.resizeFloat(img, o.resolution(), o.resolution(), o.mode());
            assertThat(actual).hasSize(expected.length);
            for (int i = 0; i < actual.length; i++) {
                if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                    throw new AssertionError(c.name() + " R=" + o.resolution() + " " + o.mode() + " float32 index " + i
                            + ": " + actual[i] + " vs TF " + expected[i]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCases")
    void imageIoJpegFallbackEqualsTensorFlowAccurateIdct(Golden.Case c) throws Exception {
        // ImageIO's libjpeg uses the accurate integer IDCT: identical to TF's dct_method="INTEGER_ACCURATE"
        // (big_vision's decode(precise=True)); TF's default fast IDCT is what differs.
        RgbImage java = imageIo(c);
        Golden.assertSameBytes(java.pixels(), Golden.png(c.decodedAccurate()).pixels(), c.name() + " vs INTEGER_ACCURATE");
    }

    @Test
    void tensorFlowsFastIdctIsFarFromAccurateAtQuality100() throws Exception {
        // libjpeg-turbo documents JDCT_IFAST as unsuitable above quality ~97: with all quantisers 1 its
        // 2 fractional bits dominate the error. TF's default decode (and so big_vision's) has it;
        // JpegDecoder reproduces it exactly, the ImageIO fallback does not (measured max |Δ| 43, mean 7.9).
        Golden.Case c = jpegCases().filter(k -> k.name().contains("q100")).findFirst().orElseThrow();
        byte[] io = imageIo(c).pixels();
        byte[] tf = Golden.png(c.decoded()).pixels();
        int max = 0;
        for (int i = 0; i < io.length; i++) {
            max = Math.max(max, Math.abs((io[i] & 0xFF) - (tf[i] & 0xFF)));
        }
        assertThat(max).isGreaterThan(20);
        Golden.assertSameBytes(ImageDecoder.decodeRgb(Golden.path(c.file())).pixels(), tf, c.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCasesUpToQ95")
    void imageIoJpegFallbackIsWithinDocumentedToleranceOfTensorFlow(Golden.Case c) throws Exception {
        RgbImage java = imageIo(c);
        RgbImage tf = Golden.png(c.decoded());
        assertThat(java.height()).isEqualTo(tf.height());
        assertThat(java.width()).isEqualTo(tf.width());
        checkJpegDiff(java.pixels(), tf.pixels(), c.name() + " decode");
        for (Golden.Output o : c.outputs()) {
            RgbImage resized = ImagePreprocessor.resizeToUint8(java, o.resolution(), o.resolution(), o.mode());
            checkJpegDiff(resized.pixels(), Golden.png(o.u8()).pixels(),
                    c.name() + " R=" + o.resolution() + " " + o.mode());
        }
    }

    @Test
    void valueRangeMatchesBigVisionBitForBit() throws Exception {
        float[] expected = Golden.floats(Files.readAllBytes(Golden.path("golden/value_range.f32")));
        assertThat(expected).hasSize(256);
        for (int u = 0; u < 256; u++) {
            assertThat(Float.floatToRawIntBits(ImagePreprocessor.valueRange(u)))
                    .as("level %d", u).isEqualTo(Float.floatToRawIntBits(expected[u]));
        }
        assertThat(ImagePreprocessor.valueRange(0)).isEqualTo(-1.0f);
        assertThat(ImagePreprocessor.valueRange(255)).isEqualTo(1.0f);
    }

    @Test
    void preprocessChainsDecodeResizeAndValueRange() {
        Golden.Case c = Golden.cases().stream().filter(k -> k.name().equals("big_480x360")).findFirst().orElseThrow();
        for (Golden.Output o : c.outputs()) {
            float[] v = ImagePreprocessor.preprocess(Golden.path(c.file()), o.resolution(), o.mode());
            byte[] u = Golden.png(o.u8()).pixels();
            assertThat(v).hasSize(o.resolution() * o.resolution() * 3);
            for (int i = 0; i < v.length; i++) {
                if (v[i] != ImagePreprocessor.valueRange(u[i] & 0xFF)) {
                    throw new AssertionError("sample " + i + ": " + v[i] + " vs level " + (u[i] & 0xFF));
                }
            }
        }
    }

    private static RgbImage imageIo(Golden.Case c) throws Exception {
        return ImageDecoder.decodeWithImageIO(Golden.path(c.file()), Files.readAllBytes(Golden.path(c.file())));
    }

    private static void checkJpegDiff(byte[] a, byte[] b, String what) {
        assertThat(a).hasSameSizeAs(b);
        int max = 0;
        int count = 0;
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            max = Math.max(max, d);
            sum += d;
            if (d != 0) {
                count++;
            }
        }
        double mean = (double) sum / a.length;
        System.out.printf("ImageIO JPEG vs TF default: %-48s max |Δ| %d, mean |Δ| %.3f, %5.1f%% of samples differ%n",
                what, max, mean, 100.0 * count / a.length);
        assertThat(max).as(what + " max |Δ|").isLessThanOrEqualTo(JPEG_MAX_TOLERANCE);
        assertThat(mean).as(what + " mean |Δ|").isLessThanOrEqualTo(JPEG_MEAN_TOLERANCE);
    }
}
