package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** NaN or infinite logits stop greedy and beam decoding with an error naming the step, never a made-up answer. */
class NonFiniteLogitsTest {
    private static final int EOS = 1;

    private static TableState nanAfter(String prefix) {
        float[] nan = TableState.logits(4, 2, 5);
        nan[3] = Float.NaN;
        return new TableState(Map.of("", TableState.logits(4, 2, 5), "2", TableState.logits(4, 3, 5), prefix, nan),
                TableState.logits(4, 3, 5));
    }

    @Test
    void greedyStopsAtTheStepWithNaN() {
        assertThatThrownBy(() -> GreedyDecoder.decode(nanAfter("2,3"), 8, EOS, GreedyDecoder.TokenListener.NONE))
                .isExactlyInstanceOf(NonFiniteLogitsException.class)
                .hasMessage("generation stopped: the logits at decode step 2 (before generated token 3) are not finite"
                        + " (NaN at id 3): the weights or activations hold NaN or infinity (run with --check-weights to find the tensor)")
                .extracting(e -> ((NonFiniteLogitsException) e).step()).isEqualTo(2);
    }

    @Test
    void greedyStopsAtStepZeroForAllNaNWeights() {
        float[] all = new float[4];
        java.util.Arrays.fill(all, Float.NaN);
        assertThatThrownBy(() -> GreedyDecoder.decode(new TableState(Map.of(), all), 8, EOS, GreedyDecoder.TokenListener.NONE))
                .hasMessageContaining("at decode step 0 (before generated token 1) are not finite (NaN at id 0)");
    }

    @Test
    void infinityIsNotFiniteEither() {
        float[] inf = TableState.logits(4, 2, 5);
        inf[2] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> GreedyDecoder.decode(new TableState(Map.of(), inf), 8, EOS, GreedyDecoder.TokenListener.NONE))
                .hasMessageContaining("(Infinity at id 2)");
    }

    @Test
    void beamSearchStopsAtTheStepWithNaN() {
        assertThatThrownBy(() -> BeamSearch.decode(nanAfter("2,3"), 2, 8, EOS))
                .isExactlyInstanceOf(NonFiniteLogitsException.class)
                .hasMessageContaining("at decode step 2 (before generated token 3)");
    }

    @Test
    void finiteLogitsDecodeAsBefore() {
        float[] eos = TableState.logits(4, EOS, 5);
        TableState s = new TableState(Map.of("", TableState.logits(4, 2, 5), "2", eos), eos);
        assertThat(GreedyDecoder.decode(s, 8, EOS, GreedyDecoder.TokenListener.NONE)).containsExactly(2);
    }
}
