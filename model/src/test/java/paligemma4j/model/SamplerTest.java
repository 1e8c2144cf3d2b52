package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Temperature, top-k and big_vision's nucleus cut on known distributions; seeds reproduce. */
class SamplerTest {
    /** Probabilities 0.5, 0.3, 0.2 at ids 2, 0, 1. */
    static final float[] LOGITS = {(float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.5)};

    static Sampling temp(double t, double p, int k) {
        return new Sampling(t, p, k, 0);
    }

    @Test
    void drawWalksTheDistributionInIdOrder() {
        // cumulative in id order: 0.3, 0.5, 1.0
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 0), 0.29)).isEqualTo(0);
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 0), 0.31)).isEqualTo(1);
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 0), 0.51)).isEqualTo(2);
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 0), 0.999)).isEqualTo(2);
    }

    @Test
    void nucleusKeepsTokensUpToTheFirstThatReachesP() {
        // sorted 0.5, 0.3, 0.2 → cumulative 0.5, 0.8: p = 0.6 keeps ids 2 and 0 (0.5 + 0.3), renormalised
        Sampling s = temp(1, 0.6, 0);
        assertThat(Sampler.pick(LOGITS, s, 0.0)).isEqualTo(0);          // 0.3/0.8 = 0.375 of the mass is id 0
        assertThat(Sampler.pick(LOGITS, s, 0.37)).isEqualTo(0);
        assertThat(Sampler.pick(LOGITS, s, 0.38)).isEqualTo(2);
        assertThat(Sampler.pick(LOGITS, s, 0.999)).isEqualTo(2);
        // p = 0.4 keeps only the most likely token
        for (double u : new double[] {0, 0.5, 0.999}) assertThat(Sampler.pick(LOGITS, temp(1, 0.4, 0), u)).isEqualTo(2);
    }

    @Test
    void topKKeepsTheKLargest() {
        // k = 2 keeps ids 2 and 0 as the nucleus above; k = 1 is argmax
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 2), 0.37)).isEqualTo(0);
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 2), 0.38)).isEqualTo(2);
        assertThat(Sampler.pick(LOGITS, temp(1, 1, 1), 0.0)).isEqualTo(2);
    }

    @Test
    void temperatureSharpens() {
        // T = 0.5 squares the probabilities: 0.09, 0.04, 0.25 → id 0 holds 0.09/0.38 = 0.237 of the mass
        assertThat(Sampler.pick(LOGITS, temp(0.5, 1, 0), 0.23)).isEqualTo(0);
        assertThat(Sampler.pick(LOGITS, temp(0.5, 1, 0), 0.24)).isEqualTo(1);
    }

    @Test
    void zeroTemperatureIsArgmaxAndSeedsReproduce() {
        float[] tie = {1f, 3f, 3f, 0f};
        assertThat(new Sampler(Sampling.GREEDY).next(tie)).isEqualTo(1);
        float[] flat = new float[50];
        int[] a = new int[40], b = new int[40], c = new int[40];
        Sampler sa = new Sampler(new Sampling(1, 1, 0, 42)), sb = new Sampler(new Sampling(1, 1, 0, 42));
        Sampler sc = new Sampler(new Sampling(1, 1, 0, 43));
        for (int i = 0; i < 40; i++) {
            a[i] = sa.next(flat);
            b[i] = sb.next(flat);
            c[i] = sc.next(flat);
        }
        assertThat(a).isEqualTo(b);
        assertThat(Arrays.equals(a, c)).isFalse();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Sampling(-1, 1, 0, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampling(1, 0, 0, 0)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new Sampling(1, 1, -2, 0)).hasMessageContaining("top_k");
    }
}
