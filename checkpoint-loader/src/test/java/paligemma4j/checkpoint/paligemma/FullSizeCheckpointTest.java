package paligemma4j.checkpoint.paligemma;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;

/**
 * The full-size random PaliGemma-3B 224 bfloat16 .npz made by
 * {@code scripts/make_checkpoints.py --full-size} (≈5.9 GB, not committed), or the same tensors in
 * Flax msgpack form. Runs only when {@code PALIGEMMA_BIG_CKPT} names that file (its golden values
 * are read from {@code FILE.golden.json}). Checks the inferred config, that every tensor is a view
 * into the mapping (nothing copied), and the first and last element of every tensor against the
 * script's golden values — the last element of {@code gating_einsum} lies 2.4 GB into a tensor,
 * past any 2 GB limit. Prints (does not assert) the open + validate time.
 */
@EnabledIfEnvironmentVariable(named = "PALIGEMMA_BIG_CKPT", matches = ".+")
class FullSizeCheckpointTest {

    @Test
    void opensValidatesAndReadsPast2GB() throws Exception {
        Path file = Path.of(System.getenv("PALIGEMMA_BIG_CKPT"));
        JsonNode golden = new ObjectMapper().readTree(Files.readString(Path.of(file + ".golden.json")));
        long t0 = System.nanoTime();
        try (Checkpoint c = Checkpoint.open(file)) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            long t1 = System.nanoTime();
            System.out.printf("open + validate %s: %.1f ms%n", file, (t1 - t0) / 1e6);
            assertThat(w.config().vision()).isEqualTo(new SiglipConfig(224, 14, 1152, 27, 4304, 16, 72));
            assertThat(w.config().llm()).isEqualTo(new GemmaConfig(257152, 2048, 18, 8, 1, 256, 16384));
            assertThat(w.config().parameterCount()).isEqualTo(2_923_335_408L).isEqualTo(golden.get("params").asLong());
            assertThat(c.get(PaliGemmaLayout.GATING_EINSUM).byteSize()).isGreaterThan(Integer.MAX_VALUE);
            for (Tensor t : c.tensors().values()) {
                JsonNode g = golden.get("tensors").get(t.key());
                // npz: every tensor a view of the mapping; msgpack: all but flax's chunked arrays (> 1 GiB)
                boolean chunked = c.format().equals("msgpack") && t.byteSize() > (1L << 30);
                assertThat(t.data().isMapped()).as(t.key()).isEqualTo(!chunked);
                assertThat(t.getFloat(0)).as(t.key()).isEqualTo(g.get("first").floatValue());
                assertThat(t.getFloat(t.size() - 1)).as(t.key()).isEqualTo(g.get("last").floatValue());
            }
        }
    }
}
