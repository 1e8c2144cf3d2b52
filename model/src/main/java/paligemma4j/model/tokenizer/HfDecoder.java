package paligemma4j.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Hugging Face {@code tokenizers} decoding with {@code skip_special_tokens=true}: ids become token strings
 * (special added tokens dropped), then the file's decoder chain runs over the token list.
 */
final class HfDecoder implements TextDecoder {
    private final Vocabulary vocab;
    private final boolean[] special;
    private final List<UnaryOperator<List<String>>> steps;

    /** {@code special[id]}: an added token marked special (skipped); {@code steps}: null when the file has no decoder. */
    HfDecoder(Vocabulary vocab, boolean[] special, List<UnaryOperator<List<String>>> steps) {
        this.vocab = vocab;
        this.special = special;
        this.steps = steps;
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        List<String> tokens = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) {
            int id = ids[k];
            if (id < 0 || id >= vocab.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab.size() + ")");
            }
            String piece = vocab.piece(id);
            if (piece != null && !special[id]) {
                tokens.add(piece);
            }
        }
        if (steps == null) {
            return String.join(" ", tokens); // tokenizers without a decoder
        }
        for (UnaryOperator<List<String>> step : steps) {
            tokens = step.apply(tokens);
        }
        return String.join("", tokens);
    }

    /** {@code Replace} decoder with a literal pattern. */
    static UnaryOperator<List<String>> replace(String pattern, String content) {
        return tokens -> tokens.stream().map(t -> t.replace(pattern, content)).toList();
    }

    /** {@code Fuse} decoder: all tokens joined into one. */
    static UnaryOperator<List<String>> fuse() {
        return tokens -> List.of(String.join("", tokens));
    }

    /** {@code Strip} decoder: up to {@code start} leading and {@code stop} trailing {@code content} chars per token. */
    static UnaryOperator<List<String>> strip(char content, int start, int stop) {
        return tokens -> tokens.stream().map(t -> {
            int a = 0;
            int b = t.length();
            while (a < start && a < b && t.charAt(a) == content) {
                a++;
            }
            int removed = 0;
            while (removed < stop && b > a && t.charAt(b - 1) == content) {
                b--;
                removed++;
            }
            return t.substring(a, b);
        }).toList();
    }

    /**
     * {@code ByteFallback} decoder: each run of {@code <0xXX>} tokens becomes its UTF-8 string, or one U+FFFD
     * per byte token when the run is not valid UTF-8.
     */
    static UnaryOperator<List<String>> byteFallback() {
        return tokens -> {
            List<String> out = new ArrayList<>(tokens.size());
            byte[] bytes = new byte[tokens.size()];
            int n = 0;
            for (String t : tokens) {
                int b = Vocabulary.byteValue(t);
                if (b >= 0) {
                    bytes[n++] = (byte) b;
                    continue;
                }
                flush(out, bytes, n);
                n = 0;
                out.add(t);
            }
            flush(out, bytes, n);
            return out;
        };
    }

    private static void flush(List<String> out, byte[] bytes, int n) {
        if (n == 0) {
            return;
        }
        String s = Utf8.decodeStrict(bytes, n);
        if (s != null) {
            out.add(s);
        } else {
            for (int i = 0; i < n; i++) {
                out.add(String.valueOf(Utf8.REPLACEMENT));
            }
        }
    }
}
