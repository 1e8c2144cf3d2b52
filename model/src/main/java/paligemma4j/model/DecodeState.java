package paligemma4j.model;

/**
 * Where decoding stands after some tokens: the next-token logits, and how to go on. Greedy decoding
 * advances one state in place; beam search forks a state per kept candidate.
 */
public interface DecodeState {

    /** Next-token logits (length = vocabulary). */
    float[] logits();

    /** Appends {@code token} to this state (its logits change). */
    DecodeState advance(int token);

    /** A new state = this one + {@code token}; this state stays as it is. */
    DecodeState fork(int token);
}
