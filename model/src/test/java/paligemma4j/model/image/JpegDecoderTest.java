package paligemma4j.model.image;

import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The pure-Java JPEG path versus TF's default decode (libjpeg-turbo, fast IDCT), byte for byte. */
class JpegDecoderTest {

    static Stream<Golden.Case> jpegCases() {
        return Golden.cases().stream().filter(c -> c.format().equals("jpg"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCases")
    void decodesExactlyLikeTensorFlowDefault(Golden.Case c) throws Exception {
        RgbImage java = JpegDecoder.decode(Files.readAllBytes(Golden.path(c.file())));
        Golden.assertSameBytes(java.pixels(), Golden.png(c.decoded()).pixels(), c.name() + " vs TF default decode");
    }
}
