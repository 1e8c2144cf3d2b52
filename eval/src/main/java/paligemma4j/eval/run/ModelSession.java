package paligemma4j.eval.run;

import paligemma4j.model.PaliGemma;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * A loaded model and its tokenizer for one run; {@code resources} (checkpoint mapping, thread pool)
 * are released by {@link #close}.
 */
public record ModelSession(PaliGemma model, Tokenizer tokenizer, AutoCloseable resources) implements AutoCloseable {

    /** Opens the session only when a run has examples left (a finished run is rescored without it). */
    @FunctionalInterface
    public interface Opener {
        ModelSession open() throws Exception;
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
