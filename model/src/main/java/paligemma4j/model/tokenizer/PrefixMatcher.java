package paligemma4j.model.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * Longest-prefix matcher over a fixed set of strings (a character trie). Used for the pieces that are
 * matched as whole tokens before BPE: SentencePiece user-defined pieces and Hugging Face added tokens.
 */
final class PrefixMatcher {
    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        int value = -1;
    }

    private final Node root = new Node();
    private boolean empty = true;

    /** Adds {@code key} with {@code value} (a token id); a later add of the same key wins. */
    void add(String key, int value) {
        Node n = root;
        for (int i = 0; i < key.length(); i++) {
            n = n.children.computeIfAbsent(key.charAt(i), c -> new Node());
        }
        n.value = value;
        empty = false;
    }

    boolean isEmpty() {
        return empty;
    }

    /** Length in chars of the longest key starting at {@code text[from]}, or 0 if none. */
    int longestMatch(CharSequence text, int from) {
        if (empty) {
            return 0;
        }
        Node n = root;
        int best = 0;
        for (int i = from; i < text.length(); i++) {
            n = n.children.get(text.charAt(i));
            if (n == null) {
                break;
            }
            if (n.value >= 0) {
                best = i + 1 - from;
            }
        }
        return best;
    }

    /** Value of the key equal to {@code text[from, from + length)}; call only after a match of that length. */
    int valueOf(CharSequence text, int from, int length) {
        Node n = root;
        for (int i = from; i < from + length; i++) {
            n = n.children.get(text.charAt(i));
        }
        return n.value;
    }
}
