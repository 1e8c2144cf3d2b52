package paligemma4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The committed fixtures made by scripts/make_checkpoints.py (src/test/resources/tiny). */
public final class Fixtures {
    private Fixtures() {}

    public static Path tiny(String name) {
        try {
            var url = Fixtures.class.getResource("/tiny/" + name);
            if (url == null) throw new IllegalStateException("missing fixture tiny/" + name + ": run scripts/make_checkpoints.py");
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(tiny(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** float32 → bfloat16 bits, round to nearest even (NaN kept quiet): the reference for bf16 files. */
    public static short bf16RoundNearestEven(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** Equal float32 bit patterns, any NaN matching any NaN. */
    public static boolean sameBits(float a, int expectedBits) {
        float e = Float.intBitsToFloat(expectedBits);
        if (Float.isNaN(a) && Float.isNaN(e)) return true;
        return Float.floatToRawIntBits(a) == expectedBits;
    }
}
