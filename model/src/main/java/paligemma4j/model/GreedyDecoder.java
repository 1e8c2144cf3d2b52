package paligemma4j.model;

import java.util.Arrays;

/**
 * big_vision's greedy decode ({@code predict_fns.py}, sampler {@code greedy}, docs/model.md#greedy-decoding): argmax
 * with ties to the lowest id; stop at {@code <eos>} or after {@code maxTokens} tokens. Logits that are not finite
 * stop generation with a {@link NonFiniteLogitsException} naming the step.
 */
public final class GreedyDecoder {

    private GreedyDecoder() {}

    /**
     * @return generated ids before the first {@code <eos>} (the eos itself is not included)
     * @throws NonFiniteLogitsException if a step's logits hold NaN or an infinity
     */
    public static int[] decode(DecodeState state, int maxTokens, int eosId, TokenListener listener) {
        int[] out = new int[maxTokens];
        for (int step = 0; step < maxTokens; step++) {
            float[] logits = state.logits();
            NonFiniteLogitsException.check(logits, step);
            int token = argmax(logits);
            if (token == eosId) return Arrays.copyOf(out, step);
            out[step] = token;
            listener.token(step, token);
            if (step + 1 == maxTokens) break;
            state.advance(token);
        }
        return out;
    }

    /** Index of the largest logit; ties → lowest id (strict {@code >}); NaN never wins. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** Called once per generated token (not for {@code <eos>}), e.g. to stream text. */
    @FunctionalInterface
    public interface TokenListener {
        TokenListener NONE = (step, token) -> {};

        void token(int step, int token);
    }
}
