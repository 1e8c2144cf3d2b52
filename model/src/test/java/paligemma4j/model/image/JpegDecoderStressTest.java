package paligemma4j.model.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 80 seeded random JPEGs (sizes 1…96, quality 1…100, 4:4:4 / 4:2:2 / 4:2:0 / grey, baseline and
 * progressive, optimised tables, restart intervals; scripts/image/make_jpeg_stress_fixtures.py):
 * the decode must equal TF's default decode byte for byte (compared by SHA-256).
 */
class JpegDecoderStressTest {

    @Test
    void everyRandomJpegDecodesExactlyLikeTensorFlow() throws Exception {
        Path dir = Golden.path("jpeg_stress");
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        List<String> mismatches = new ArrayList<>();
        int n = 0;
        for (JsonNode e : manifest.get("jpegs")) {
            RgbImage img = ImageDecoder.decodeRgb(dir.resolve(e.get("file").asText()));
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.pixels()));
            if (img.height() != e.get("height").asInt() || img.width() != e.get("width").asInt()
                    || !sha.equals(e.get("decodedSha256").asText())) {
                mismatches.add(e.get("file").asText() + " " + e.get("mode").asText() + " " + e.get("options"));
            }
            n++;
        }
        assertThat(n).isEqualTo(80);
        assertThat(mismatches).isEmpty();
    }
}
