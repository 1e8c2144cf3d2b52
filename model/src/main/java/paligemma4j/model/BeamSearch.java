package paligemma4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * big_vision's beam search ({@code predict_fns.py} {@code _beam_decode}, docs/model.md#beam-search): scores are raw
 * float32 sums of log-probabilities (no length normalisation); each step every live candidate
 * proposes "itself + {@code <eos>}" to the single best finished sequence and its top N+1 tokens to
 * the next live set (eos-continuations get the float32 minimum); stop once the best live score is
 * below the best finished one, or after {@code maxTokens} steps. The answer is always a finished
 * sequence, so at most {@code maxTokens − 1} tokens precede its {@code <eos>}.
 */
public final class BeamSearch {

    /** The float32 minimum big_vision gives eos-continuations of live beams. */
    static final float EOS_LIVE_SCORE = -Float.MAX_VALUE;

    private BeamSearch() {}

    private record Live(int[] ids, float score, DecodeState state) {}

    private record Finished(int[] ids, float score) {}

    private record Candidate(int parent, int token, float score) {}

    /**
     * @return the best finished sequence's ids before its {@code <eos>}
     * @throws NonFiniteLogitsException if a live candidate's logits hold NaN or an infinity
     */
    public static int[] decode(DecodeState start, int beams, int maxTokens, int eosId) {
        if (beams < 1) throw new IllegalArgumentException("beam size must be ≥ 1, got " + beams);
        List<Live> live = List.of(new Live(new int[0], 0f, start));
        Finished best = null;
        for (int step = 0; step < maxTokens; step++) {
            List<float[]> logp = new ArrayList<>(live.size());
            for (Live c : live) {
                float[] logits = c.state().logits();
                NonFiniteLogitsException.check(logits, step);
                logp.add(logSoftmax(logits, logits.length));
            }

            // Finish: the old best first, then each live candidate + <eos>; ties keep the earlier one.
            for (int i = 0; i < live.size(); i++) {
                Live c = live.get(i);
                float s = c.score() + logp.get(i)[eosId];
                if (best == null || s > best.score()) best = new Finished(c.ids(), s);
            }

            // Expand: top N+1 tokens per live candidate (ties → lower id), keep the top N overall
            // (ties → earlier parent, then better rank).
            List<Candidate> pool = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) {
                for (int token : topK(logp.get(i), beams + 1)) {
                    float s = token == eosId ? EOS_LIVE_SCORE : live.get(i).score() + logp.get(i)[token];
                    pool.add(new Candidate(i, token, s));
                }
            }
            List<Candidate> kept = new ArrayList<>(pool);
            kept.sort(Comparator.comparingDouble((Candidate c) -> -c.score())); // stable: earlier wins ties
            kept = kept.subList(0, Math.min(beams, kept.size()));

            float bestLive = kept.get(0).score();
            if (!(bestLive >= best.score()) || step + 1 == maxTokens) break;

            List<Live> next = new ArrayList<>(kept.size());
            for (Candidate k : kept) {
                Live parent = live.get(k.parent());
                int[] ids = Arrays.copyOf(parent.ids(), parent.ids().length + 1);
                ids[ids.length - 1] = k.token();
                next.add(new Live(ids, k.score(), parent.state().fork(k.token())));
            }
            live = next;
        }
        return best.ids();
    }

    /** log_softmax in float32 with max subtraction, as {@code jax.nn.log_softmax}. */
    static float[] logSoftmax(float[] logits, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[i] - max);
        float lse = (float) Math.log(sum);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (logits[i] - max) - lse;
        return out;
    }

    /** Indices of the k largest values, best first; ties → lower index first. */
    static int[] topK(float[] x, int k) {
        k = Math.min(k, x.length);
        int[] idx = new int[k];
        float[] val = new float[k];
        int filled = 0;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (filled == k && !(v > val[k - 1])) continue;
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && v > val[pos - 1]) {   // strict: equal values keep the lower index first
                val[pos] = val[pos - 1];
                idx[pos] = idx[pos - 1];
                pos--;
            }
            val[pos] = v;
            idx[pos] = i;
        }
        return idx;
    }
}
