package paligemma4j.eval;

/** Bad evaluation input (data file, predictions file): the message is one line naming the file, key or id. */
public final class EvalException extends RuntimeException {
    public EvalException(String message) {
        super(message);
    }

    public EvalException(String message, Throwable cause) {
        super(message, cause);
    }
}
