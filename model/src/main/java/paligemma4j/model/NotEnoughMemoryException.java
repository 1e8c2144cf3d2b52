package paligemma4j.model;

/** A run that cannot fit the machine's available memory; the message says how much it needs and what helps. */
public final class NotEnoughMemoryException extends RuntimeException {
    public NotEnoughMemoryException(String message) {
        super(message);
    }
}
