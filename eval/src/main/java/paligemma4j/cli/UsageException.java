package paligemma4j.cli;

/** A bad command line or bad input: printed as one line ({@code paligemma <cmd>: message}), exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
