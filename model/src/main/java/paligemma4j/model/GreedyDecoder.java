package paligemma4j.model;

import java.util.Arrays;
import paligemma4j.kernels.Ops;

/**
 * big_vision's greedy decode ({@code predict_fns.py}, sampler {@code greedy}, spec §6.1): argmax
 * with ties to the lowest id; stop at {@code <eos>} or after {@code maxTokens} tokens.
 */
public final class GreedyDecoder {

    private final Gemma gemma;
    private final Ops ops;

    public GreedyDecoder(Gemma gemma, Ops ops) {
        this.gemma = gemma;
        this.ops = ops;
    }

    /**
     * @return generated ids before the first {@code <eos>} (the eos itself is not included)
     */
    public int[] decode(Prefix prefix, int maxTokens, int eosId, TokenListener listener) {
        int[] out = new int[maxTokens];
        float[] logits = prefix.logits();
        int vocab = gemma.config().vocab();
        for (int step = 0; step < maxTokens; step++) {
            int token = ops.argmax(logits, 0, vocab);
            if (token == eosId) return Arrays.copyOf(out, step);
            out[step] = token;
            listener.token(step, token);
            if (step + 1 == maxTokens) break;
            logits = gemma.decodeStep(token, prefix.length() + step, prefix.cache());
        }
        return out;
    }

    /** Called once per generated token (not for {@code <eos>}), e.g. to stream text. */
    @FunctionalInterface
    public interface TokenListener {
        TokenListener NONE = (step, token) -> {};

        void token(int step, int token);
    }
}
