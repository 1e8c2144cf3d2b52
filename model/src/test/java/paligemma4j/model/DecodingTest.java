package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Greedy and beam decoding semantics of big_vision's predict_fns (docs/model.md#greedy-decoding, #beam-search) on
 * hand-made logits.
 */
class DecodingTest {

    static final int EOS = 1, V = 6;

    @Test
    void greedyStopsAtEosAndExcludesIt() {
        TableState s = new TableState(Map.of(
                "", TableState.logits(V, 3, 5),
                "3", TableState.logits(V, 4, 5, 5, 5),      // tie 4 vs 5 → lowest id
                "3,4", TableState.logits(V, EOS, 5)), TableState.logits(V, 2, 1));
        assertThat(GreedyDecoder.decode(s, 10, EOS, GreedyDecoder.TokenListener.NONE)).containsExactly(3, 4);
        assertThat(s.advances).isEqualTo(2);
    }

    @Test
    void greedyStopsAtMaxTokensWithoutAnExtraStep() {
        TableState s = new TableState(Map.of(), TableState.logits(V, 2, 1));
        assertThat(GreedyDecoder.decode(s, 3, EOS, GreedyDecoder.TokenListener.NONE)).containsExactly(2, 2, 2);
        assertThat(s.advances).isEqualTo(2);   // no logits after the last step
    }

    @Test
    void beamReturnsEmptyAnswerWhenEosFirstBeatsEveryLiveScore() {
        TableState s = new TableState(Map.of("", TableState.logits(V, EOS, 5, 2, 1, 3, 1)), TableState.logits(V, 2, 9));
        assertThat(BeamSearch.decode(s, 2, 8, EOS)).isEmpty();
    }

    @Test
    void beamPrefersTheBetterSumOverTheGreedyPath() {
        // greedy takes 2 (logit 3 vs 2.9... here 3 vs 2) then a flat distribution; beam finds 3 → 4 → eos.
        TableState s = new TableState(Map.of(
                "", TableState.logits(V, 2, 3, 3, 2),
                "2", TableState.logits(V, 4, 0, 5, 0, EOS, 0),         // flat among 3 tokens
                "3", TableState.logits(V, 4, 9),
                "3,4", TableState.logits(V, EOS, 9)), TableState.logits(V, EOS, 9));
        assertThat(GreedyDecoder.decode(new TableState(Map.of(
                "", TableState.logits(V, 2, 3, 3, 2),
                "2", TableState.logits(V, 4, 0, 5, 0, EOS, 0),
                "3", TableState.logits(V, 4, 9),
                "3,4", TableState.logits(V, EOS, 9)), TableState.logits(V, EOS, 9)), 8, EOS,
                GreedyDecoder.TokenListener.NONE)).containsExactly(2);   // after "2" eos ties with 4, 5: lowest id
        assertThat(BeamSearch.decode(s, 2, 8, EOS)).containsExactly(3, 4);
    }

    @Test
    void beamAnswerHasAtMostMaxMinusOneTokens() {
        // "2,2,2" then eos is by far the best sequence, but it has 3 tokens before its eos:
        // with max 4 it is found, with max 3 only finished sequences of ≤ 2 tokens exist.
        Map<String, float[]> rows = Map.of("2,2,2", TableState.logits(V, EOS, 9));
        float[] fallback = TableState.logits(V, 2, 5, 3, 4);
        assertThat(BeamSearch.decode(new TableState(rows, fallback), 2, 4, EOS)).containsExactly(2, 2, 2);
        // raw sums without length normalisation: every extra unlikely-eos token only lowers the score
        assertThat(BeamSearch.decode(new TableState(rows, fallback), 2, 3, EOS)).isEmpty();
    }

    @Test
    void beamOfOneIsNotGreedyButBestFinished() {
        TableState s = new TableState(Map.of("", TableState.logits(V, 2, 5, EOS, 4)), TableState.logits(V, EOS, 9));
        assertThat(BeamSearch.decode(s, 1, 5, EOS)).containsExactly(2);
    }
}
