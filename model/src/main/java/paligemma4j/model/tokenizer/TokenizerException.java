package paligemma4j.model.tokenizer;

/** A tokenizer file that cannot be read or used; the message is one line naming the file and the cause. */
public final class TokenizerException extends RuntimeException {
    /** Creates the exception with a one-line message. */
    public TokenizerException(String message) {
        super(message);
    }

    /** Creates the exception with a one-line message and the underlying cause. */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
