package paligemma4j.model.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzz targets for the image decoders: any bytes either decode to an image of the size it claims or fail
 * with a one-line {@link ImageException} naming the file. Seeds: small JPEGs (baseline, progressive, grey,
 * restart intervals) and PNGs under {@code src/test/resources/paligemma4j/model/image/ImageFuzzTestInputs/};
 * {@code scripts/fuzz jpeg|png MINUTES} fuzzes one.
 */
class ImageFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void jpeg(byte[] bytes) {
        decode(Path.of("fuzzed.jpg"), bytes);
    }

    @FuzzTest(maxDuration = "10m")
    void png(byte[] bytes) {
        decode(Path.of("fuzzed.png"), bytes);
    }

    private static void decode(Path name, byte[] bytes) {
        try {
            RgbImage img = ImageDecoder.decodeRgb(name, bytes);
            assertThat(img.pixels()).hasSize(img.height() * img.width() * 3);
        } catch (ImageException e) {
            assertThat(e.getMessage()).startsWith("image " + name + ": ").doesNotContain("\n");
        }
    }
}
