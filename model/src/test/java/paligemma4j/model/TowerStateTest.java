package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.TowerOps;

/**
 * {@link TowerState} over a recording stand-in decoder: a greedy step allocates nothing per token (the embedding,
 * parent and logits buffers are made once per decode), beam forks reach the decoder as one step with their parents,
 * and a state of an older step fails with one line.
 */
class TowerStateTest {

    static final Path CKPT = Path.of("src/test/resources/tiny/tiny-224.npz");

    /** Logits that name the step and the row; records each step's parents. */
    static final class Recorder implements TowerOps.Decoder {
        final int beams, vocab;
        final List<int[]> parents = new ArrayList<>();
        int steps;

        Recorder(int beams, int vocab) {
            this.beams = beams;
            this.vocab = vocab;
        }

        public float[] prefill(float[] prefix, int rows) {
            return new float[vocab];
        }

        public float[] decode(float[] embedding) {
            throw new AssertionError("TowerState steps through step()");
        }

        public void step(int[] p, int n, float[] embeddings, float[][] logits) {
            steps++;
            if (n > 1 || p[0] != 0) parents.add(Arrays.copyOf(p, n));
            for (int i = 0; i < n; i++) logits[i][0] = steps * 10 + i;
        }

        public int beams() {
            return beams;
        }

        public int length() {
            return 0;
        }

        public int capacity() {
            return 64;
        }

        public void close() {
        }
    }

    @Test
    void greedyStepsAllocateNothingPerToken() throws Exception {
        try (JvmOps ops = new JvmOps(1); PaliGemma model = PaliGemma.load(CKPT, ops)) {
            int vocab = model.config().llm().vocab();
            Recorder decoder = new Recorder(1, vocab);
            DecodeState s = new TowerState(model.gemma(), new Prefix(null, 10, new float[vocab], decoder));
            for (int i = 0; i < 1000; i++) s.advance(i % 50);                  // warm up (JIT, first buffers)
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().threadId();
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 1000; i++) s.advance(i % 50);
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            System.out.printf("1000 greedy tower steps allocated %d bytes%n", allocated);
            // one vocabulary-sized logits array per token would be 1000 × 2176 × 4 bytes ≈ 8.7 MB
            assertThat(allocated).as("bytes allocated by 1000 greedy steps").isLessThan(16_000);
            assertThat(s.logits()[0]).isEqualTo(2000 * 10f);
        }
    }

    @Test
    void beamForksRunAsOneStepWithTheirParents() throws Exception {
        try (JvmOps ops = new JvmOps(1); PaliGemma model = PaliGemma.load(CKPT, ops)) {
            int vocab = model.config().llm().vocab();
            Recorder decoder = new Recorder(2, vocab);
            DecodeState root = new TowerState(model.gemma(), new Prefix(null, 10, new float[vocab], decoder));
            DecodeState a = root.fork(5), b = root.fork(6);
            assertThat(decoder.steps).as("forks wait for their step").isZero();
            assertThat(b.logits()[0]).isEqualTo(11f);
            assertThat(a.logits()[0]).isEqualTo(10f);
            DecodeState c = b.fork(7), d = a.fork(8);
            assertThat(d.logits()[0]).isEqualTo(21f);
            assertThat(c.logits()[0]).isEqualTo(20f);
            assertThat(decoder.steps).isEqualTo(2);
            assertThat(decoder.parents).containsExactly(new int[] {0, 0}, new int[] {1, 0});
            assertThatThrownBy(() -> a.fork(3)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("a device decode state was used after a later step replaced its cache");
            c.fork(1);
            c.fork(2);
            assertThatThrownBy(() -> c.fork(3)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the device decoder holds 2 hypotheses");
        }
    }
}
