package paligemma4j.api;

/** Receives each generated token as soon as it is chosen (not {@code <eos>}); with beam search, the best beam at the end. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param index position among the generated tokens, from 0
     * @param id    the token id
     * @param text  the token's own text (pieces that only make sense together, e.g. byte pieces, may be partial)
     */
    void onToken(int index, int id, String text);
}
