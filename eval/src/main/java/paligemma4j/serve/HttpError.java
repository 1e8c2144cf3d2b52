package paligemma4j.serve;

/** A request the server answers with {@code status} and an OpenAI-style JSON error, never a stack trace. */
final class HttpError extends RuntimeException {
    final int status;
    final String type;
    final String param;

    HttpError(int status, String type, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    /** 400 with the offending field named. */
    static HttpError bad(String param, String message) {
        return new HttpError(400, "invalid_request_error", param, message);
    }
}
