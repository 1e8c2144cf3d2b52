package paligemma4j.model;

import java.util.Arrays;

/**
 * One sequence being decoded a token at a time, so that a scheduler can interleave several and stop any of
 * them between tokens. Same steps as {@link GreedyDecoder}: pick a token from the logits; stop at
 * {@code <eos>} (not kept) or after {@code maxTokens}; otherwise advance the state.
 */
public final class TokenStream {
    private final DecodeState state;
    private final Sampler sampler;
    private final int maxTokens, eosId;
    private final int[] tokens;
    private int count;
    private boolean done, eos;

    public TokenStream(DecodeState state, Sampler sampler, int maxTokens, int eosId) {
        this.state = state;
        this.sampler = sampler;
        this.maxTokens = maxTokens;
        this.eosId = eosId;
        this.tokens = new int[maxTokens];
        this.done = maxTokens == 0;
    }

    /** Generates one token; returns it, or -1 when the sequence ended (at {@code <eos>} or the token limit). */
    public int step() {
        if (done) return -1;
        int token = sampler.next(state.logits());
        if (token == eosId) {
            done = eos = true;
            return -1;
        }
        tokens[count++] = token;
        if (count == maxTokens) done = true;
        else state.advance(token);
        return token;
    }

    public boolean done() {
        return done;
    }

    /** Whether the sequence ended with {@code <eos>} (else it hit the token limit, or is not done). */
    public boolean endedWithEos() {
        return eos;
    }

    /** The tokens generated so far ({@code <eos>} excluded). */
    public int[] tokens() {
        return Arrays.copyOf(tokens, count);
    }

    /** Decodes to the end; every token goes to {@code listener}. */
    public int[] run(GreedyDecoder.TokenListener listener) {
        int step = count;
        for (int t; (t = step()) >= 0; ) listener.token(step++, t);
        return tokens();
    }
}
