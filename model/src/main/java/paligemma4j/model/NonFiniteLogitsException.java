package paligemma4j.model;

/**
 * Generation stopped because the next-token logits hold NaN or an infinity: an argmax over them would
 * pick an arbitrary token (or none), so the answer would be a lie. Usually the checkpoint holds
 * non-finite weights ({@code --check-weights} names the tensor).
 */
public final class NonFiniteLogitsException extends RuntimeException {
    private final int step;

    NonFiniteLogitsException(int step, int id, float value) {
        super("generation stopped: the logits at decode step " + step + " (before generated token " + (step + 1) + ") are "
                + "not finite (" + value + " at id " + id + "): the weights or activations hold NaN or infinity"
                + " (run with --check-weights to find the tensor)");
        this.step = step;
    }

    /** The decode step (0 = the first generated token) whose logits were not finite. */
    public int step() {
        return step;
    }

    /** Throws if any of {@code logits} is NaN or infinite (one pass, no allocation). */
    static void check(float[] logits, int step) {
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (v - v != 0f) throw new NonFiniteLogitsException(step, i, v);   // NaN and ±Inf give NaN
        }
    }
}
