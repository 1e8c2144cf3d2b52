package paligemma4j.checkpoint;

/**
 * A checkpoint file that cannot be read as asked. The message is one line that names the
 * file, the key (where there is one) and what was expected versus what was found; callers
 * print it as it is and exit non-zero. Control characters (e.g. a newline inside a damaged
 * member name) are escaped so the message always stays on one line.
 */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(oneLine(message));
    }

    public CheckpointException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String s) {
        if (s == null || s.chars().noneMatch(c -> c < 0x20 || c == 0x7F)) return s;
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}
