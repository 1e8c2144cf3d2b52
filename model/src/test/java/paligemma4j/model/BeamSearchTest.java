package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BeamSearchTest {

    @Test
    void topKBreaksTiesTowardsLowerIndex() {
        float[] x = {0.5f, 2f, 2f, -1f, 3f, 2f};
        assertThat(BeamSearch.topK(x, 3)).containsExactly(4, 1, 2);
        assertThat(BeamSearch.topK(x, 1)).containsExactly(4);
        assertThat(BeamSearch.topK(x, 10)).containsExactly(4, 1, 2, 5, 0, 3);
    }

    @Test
    void logSoftmaxMatchesClosedForm() {
        float[] logits = {1f, 2f, 3f, 1000f};
        float[] lp = BeamSearch.logSoftmax(logits, 4);
        // with 1000 dominating: log p(1000) ≈ −(e^-997 + …) ≈ 0, others ≈ x − 1000
        assertThat(lp[3]).isCloseTo(0f, within(1e-6f));
        assertThat(lp[0]).isCloseTo(-999f, within(1e-3f));
        float[] small = BeamSearch.logSoftmax(new float[] {0f, (float) Math.log(3)}, 2);
        assertThat(small[0]).isCloseTo((float) Math.log(0.25), within(1e-6f));
        assertThat(small[1]).isCloseTo((float) Math.log(0.75), within(1e-6f));
    }
}
