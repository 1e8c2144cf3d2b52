package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.WeightType;

/** What a run must keep resident, and the one-line error when MemAvailable is smaller (injected). */
class MemoryNeedTest {
    static final Path TINY = Path.of("src/test/resources/tiny/tiny-224.npz");

    @Test
    void storedWeightsCountTheMappedDecoderAndTheKvCache() {
        try (Checkpoint c = Checkpoint.open(TINY)) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            GemmaConfig g = w.config().llm();
            MemoryNeed need = MemoryNeed.of(w, null, 40, 2);
            long params = (long) g.vocab() * g.width() + (long) g.depth() * ((long) g.width() * (g.heads() + 2 * g.kvHeads())
                    * g.headDim() + (long) g.heads() * g.headDim() * g.width() + 3L * g.width() * g.mlp());
            assertThat(need.mappedWeights()).isEqualTo(4 * params);          // tiny is float32, mapped as stored
            assertThat(need.convertedWeights()).isZero();
            int positions = w.config().vision().numTokens() + 40;
            assertThat(need.kvCache()).isEqualTo(2L * 4 * g.depth() * positions * g.kvHeads() * g.headDim() * 2);
            assertThat(need.total()).isEqualTo(need.mappedWeights() + need.visionBlocks() + need.kvCache()
                    + need.activations() + MemoryNeed.RUNTIME);
        }
    }

    @Test
    void q8KeepsOnlyTheQuantizedCopyResident() {
        try (Checkpoint c = Checkpoint.open(TINY)) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            GemmaConfig g = w.config().llm();
            MemoryNeed stored = MemoryNeed.of(w, null, 40, 1);
            MemoryNeed q8 = MemoryNeed.of(w, WeightType.Q8_0, 40, 1);
            assertThat(q8.mappedWeights()).isZero();                        // the f32 pages are read once, reclaimable
            long joined = (long) g.depth() * g.width() * Q8.rowBytes((g.heads() + 2 * g.kvHeads()) * g.headDim());
            long embedding = (long) g.vocab() * Q8.rowBytes(g.width());
            assertThat(q8.convertedWeights()).isGreaterThan(embedding + joined);
            assertThat(q8.convertedWeights()).isLessThan(stored.mappedWeights() / 2);   // ~1.06 B per element vs 4
        }
    }

    @Test
    void guardNamesTheNeedAndTheOptionThatHelpsWhenMemAvailableIsTooSmall() {
        try (Checkpoint c = Checkpoint.open(TINY)) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            MemoryNeed need = MemoryNeed.of(w, null, 40, 1);
            MemoryNeed q8 = MemoryNeed.of(w, WeightType.Q8_0, 40, 1);
            long between = (need.total() + q8.total()) / 2;
            assertThat(q8.total()).isLessThan(need.total());
            assertThatThrownBy(() -> MemoryGuard.of(null, 40, 1, true, () -> OptionalLong.of(q8.total() - 1)).check(w))
                    .isInstanceOf(NotEnoughMemoryException.class)
                    .hasMessageStartingWith(w.config().name() + " needs about " + MemoryNeed.gb(need.total()))
                    .hasMessageContaining("MemAvailable is " + MemoryNeed.gb(q8.total() - 1))
                    .hasMessageContaining("with --weights q8 it needs about " + MemoryNeed.gb(q8.total())
                            + " (more than is available too)")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> MemoryGuard.of(null, 40, 1, false, () -> OptionalLong.of(between)).check(w))
                    .hasMessageContaining("with Q8_0 weights (bench --weights q8) it needs about " + MemoryNeed.gb(q8.total()) + ";");
            MemoryGuard.of(null, 40, 1, true, () -> OptionalLong.of(need.total())).check(w);        // fits exactly
            MemoryGuard.of(null, 40, 1, true, OptionalLong::empty).check(w);                       // unknown: no check
        }
    }

    @Test
    void memAvailableIsReadInKilobytes() {
        String meminfo = "MemTotal:       24000000 kB\nMemFree:         6000000 kB\nMemAvailable:   21000000 kB\n";
        assertThat(SystemMemory.memAvailable(meminfo)).hasValue(21_000_000L * 1024);
        assertThat(SystemMemory.memAvailable("MemTotal: 1 kB\n")).isEmpty();
    }
}
