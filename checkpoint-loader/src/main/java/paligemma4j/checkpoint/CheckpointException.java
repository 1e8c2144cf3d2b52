package paligemma4j.checkpoint;

/**
 * A checkpoint file that cannot be read as asked. The message is one line that names the
 * file, the key (where there is one) and what was expected versus what was found; callers
 * print it as it is and exit non-zero.
 */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
