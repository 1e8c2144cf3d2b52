package paligemma4j.api;

/** Bad input to the API (a checkpoint, tokenizer, image, prompt or option that cannot be used); the message is one line. */
public final class PaliGemmaException extends RuntimeException {
    public PaliGemmaException(String message) {
        super(message);
    }

    public PaliGemmaException(String message, Throwable cause) {
        super(message, cause);
    }
}
