package paligemma4j.model.image;

/**
 * An image that cannot be read or preprocessed. The message is one line naming the file and
 * what was expected versus what was found; callers print it as it is.
 */
public final class ImageException extends RuntimeException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
