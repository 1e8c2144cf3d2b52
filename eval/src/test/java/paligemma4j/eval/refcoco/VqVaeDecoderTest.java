package paligemma4j.eval.refcoco;

import paligemma4j.model.output.VqVaeDecoder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Fixtures;

/**
 * The VQ-VAE decoder against PyTorch (conv2d / conv_transpose2d on the state_dict layout; the same
 * script checked PyTorch against a flax module built as big_vision's) on 4 code sequences:
 * full widths 128/128/64/32/16 with a 64-wide codebook (hash weights rebuilt here), and a small
 * {@code vae-oid.npz} read through the checkpoint loader.
 */
class VqVaeDecoderTest {
    static final JsonNode META = Fixtures.json("golden/vqvae.json");

    /** Rebuilds the weights of golden_refcoco.py's vae_weights from the layout table in vqvae.json. */
    static VqVaeDecoder fromLayout(JsonNode layout, int seedBase) {
        return fromLayout(layout, seedBase, Map.of());
    }

    /** The same with some arrays replaced (the small npz overrides decoder.12.bias). */
    static VqVaeDecoder fromLayout(JsonNode layout, int seedBase, Map<String, float[]> overrides) {
        Map<String, float[]> arrays = new HashMap<>();
        Map<String, int[]> shapes = new HashMap<>();
        int k = 0;
        for (JsonNode e : layout) {
            String key = e.get(0).asText();
            int[] shape = new int[e.get(1).size()];
            int n = 1;
            for (int i = 0; i < shape.length; i++) n *= shape[i] = e.get(1).get(i).asInt();
            double scale = Math.sqrt(6.0 / e.get(2).asDouble());
            arrays.put(key, HashWeights.of(seedBase + k + 1, n, scale));
            shapes.put(key, shape);
            k++;
        }
        arrays.putAll(overrides);
        return VqVaeDecoder.of(arrays, shapes);
    }

    static int[] codes(JsonNode a) {
        int[] c = new int[a.size()];
        for (int i = 0; i < c.length; i++) c[i] = a.get(i).asInt();
        return c;
    }

    @Test
    void fullWidthDecoderMatchesTorch() throws Exception {
        JsonNode full = META.get("full");
        VqVaeDecoder vae = fromLayout(META.get("layout_full"), full.get("seed_base").asInt());
        assertThat(vae.embeddingDim()).isEqualTo(64);
        assertThat(vae.maskSize()).isEqualTo(64);
        float[] all = Golden.floats(Files.readAllBytes(Fixtures.path("golden/vqvae_full.f32")));
        double maxDiff = 0;
        for (int s = 0; s < full.get("codes").size(); s++) {
            float[] got = vae.decode(codes(full.get("codes").get(s)));
            assertThat(got).hasSize(4096);
            int positive = 0;
            for (int i = 0; i < 4096; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - all[s * 4096 + i]));
                if (got[i] > 0) positive++;
            }
            assertThat(positive).isCloseTo(full.get("positive").get(s).asInt(), within(3));
        }
        assertThat(maxDiff).isLessThan(1e-5);
    }

    @Test
    void smallNpzThroughTheCheckpointLoaderMatchesTorch() {
        VqVaeDecoder vae = VqVaeDecoder.load(Fixtures.path("refcoco/vae-oid.npz"));
        JsonNode small = META.get("small");
        assertThat(vae.embeddingDim()).isEqualTo(small.get("dim").asInt());
        for (int s = 0; s < small.get("codes").size(); s++) {
            float[] got = vae.decode(codes(small.get("codes").get(s)));
            float[] expected = Golden.floats(small.get("outputs").get(s).asText());
            for (int i = 0; i < got.length; i++) assertThat(got[i]).isCloseTo(expected[i], within(1e-5f));
        }
    }
}
