package paligemma4j.model;

/**
 * Sees the named intermediate activations of a forward pass (the parity tools record them).
 * {@link #NONE} is the default: the model checks {@link #enabled()} once per stage, so an
 * observer that is off costs nothing (no copies, no names built).
 *
 * <p>Stage names are shared with the Python dump scripts; see {@link Stages}.
 */
public interface StageObserver {

    StageObserver NONE = new StageObserver() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void stage(String name, float[] data, int rows, int cols) {}
    };

    default boolean enabled() {
        return true;
    }

    /** {@code data[0 .. rows*cols)} is the stage's value, row-major; copy it if you keep it. */
    void stage(String name, float[] data, int rows, int cols);
}
