package paligemma4j.serve;

import java.util.Arrays;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * Turns generated tokens into text deltas whose concatenation is the decode of all tokens: each delta is
 * the growth of the decoded prefix. A prefix ending in an incomplete UTF-8 sequence (U+FFFD) is held back
 * until the next token completes it.
 */
final class TextStream {
    private final Tokenizer tokenizer;
    private int[] ids = new int[16];
    private int n;
    private String emitted = "";

    TextStream(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The new text after {@code token}; may be empty. */
    String add(int token) {
        if (n == ids.length) ids = Arrays.copyOf(ids, 2 * n);
        ids[n++] = token;
        String full = tokenizer.decode(Arrays.copyOf(ids, n));
        if (full.endsWith("\uFFFD") || !full.startsWith(emitted)) return "";
        String delta = full.substring(emitted.length());
        emitted = full;
        return delta;
    }

    /** What remains to emit once the sequence is done, given its full text. */
    String finish(String fullText) {
        if (!fullText.startsWith(emitted)) return "";
        String rest = fullText.substring(emitted.length());
        emitted = fullText;
        return rest;
    }
}
