package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.WeightType;

/**
 * A model built with converted weights tells the checkpoint each stored matrix it copied, so a mapped file's
 * pages leave the process as the copies are made; kept as stored, nothing is released.
 */
class ConversionReleaseTest {

    /** The tiny checkpoint, recording what it is told to release. */
    private record Recording(Checkpoint inner, List<MemorySegment> released) implements Checkpoint {
        @Override
        public Path file() {
            return inner.file();
        }

        @Override
        public String format() {
            return inner.format();
        }

        @Override
        public Map<String, Tensor> tensors() {
            return inner.tensors();
        }

        @Override
        public void release(MemorySegment part) {
            released.add(part);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static List<MemorySegment> released(WeightConverter convert) {
        Recording c = new Recording(Checkpoint.open(MemoryNeedTest.TINY), new ArrayList<>());
        PaliGemmaWeights w = PaliGemmaWeights.of(c);
        try (PaliGemma model = new PaliGemma(c, w, new NaiveOps(), convert)) {
            assertThat(model.gemma().config().width()).isPositive();
        }
        return c.released();
    }

    @Test
    void everyConvertedMatrixIsReleasedOnce() {
        Recording probe = new Recording(Checkpoint.open(MemoryNeedTest.TINY), new ArrayList<>());
        PaliGemmaWeights w = PaliGemmaWeights.of(probe);
        int layers = w.llm().blocks().size();
        probe.close();
        List<MemorySegment> q8 = released(WeightConversions.to(WeightType.Q8_0));
        // per decoder layer at least q, k, v heads, o, gate, up, down; plus the embedding and the vision tower
        assertThat(q8.size()).isGreaterThan(7 * layers);
        assertThat(q8.stream().map(MemorySegment::address).distinct().count()).isEqualTo(q8.size());
        assertThat(released(WeightConverter.STORED)).isEmpty();
    }
}
