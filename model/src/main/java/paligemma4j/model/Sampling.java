package paligemma4j.model;

/**
 * How the next token is drawn from the logits, as big_vision's samplers define it
 * ({@code temperature(t)}: categorical over {@code logits / t}; {@code nucleus(p)}: only tokens whose logit
 * is at least the logit at which the sorted cumulative probability first reaches {@code p}), with top-k
 * (the {@code k} largest logits, ties kept) applied before the nucleus cut.
 *
 * @param temperature 0 = greedy (argmax, ties to the lowest id); otherwise the logits are divided by it
 * @param topP        nucleus mass in (0, 1]; 1 keeps every token
 * @param topK        keep the k most likely tokens; 0 keeps every token
 * @param seed        seeds the random draws: the same seed gives the same tokens
 */
public record Sampling(double temperature, double topP, int topK, long seed) {

    /** Argmax decoding. */
    public static final Sampling GREEDY = new Sampling(0, 1, 0, 0);

    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number ≥ 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be ≥ 0, got " + topK);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
