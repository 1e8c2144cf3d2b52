package paligemma4j.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import paligemma4j.eval.EvalException;

/**
 * pycocoevalcap 1.2's {@code PTBTokenizer.tokenize}: every caption of every image (images in the
 * given order, captions in order) has {@code \n} replaced by a space, all are joined with {@code \n}
 * into one stream and tokenized by {@link PtbTokenizer}; output line k is paired with caption k
 * (extra lines, e.g. from a {@code \r} inside a caption, shift later captions and the surplus is
 * dropped, as Python's {@code zip} does). Each line is right-stripped, split on single spaces and
 * tokens equal (case-sensitively) to one of the 17 punctuation strings are removed.
 */
public final class CaptionTokenizer {
    /** pycocoevalcap's PUNCTUATIONS. Upper-case bracket names never match the lower-cased tokens. */
    public static final Set<String> PUNCTUATION = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
            ".", "?", "!", ",", ":", "-", "--", "...", ";");

    private CaptionTokenizer() {}

    /** Tokenizes the captions of each image; the result has the same shape unless lines went missing. */
    public static List<List<String>> tokenize(List<List<String>> captionsPerImage) {
        StringBuilder stream = new StringBuilder();
        int total = 0;
        for (List<String> caps : captionsPerImage) {
            for (String c : caps) {
                if (total++ > 0) stream.append('\n');
                stream.append(c.replace('\n', ' '));
            }
        }
        List<String> lines = PtbTokenizer.tokenizeLines(stream.toString());
        List<List<String>> out = new ArrayList<>();
        int k = 0;
        for (List<String> caps : captionsPerImage) {
            List<String> toks = new ArrayList<>();
            for (int j = 0; j < caps.size() && k < lines.size(); j++, k++) toks.add(filter(lines.get(k)));
            out.add(toks);
        }
        return out;
    }

    /** The punctuation filter on one tokenized line. */
    public static String filter(String line) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (String w : PyStrings.rstrip(line).split(" ", -1)) {
            if (PUNCTUATION.contains(w)) continue;
            if (!first) sb.append(' ');
            sb.append(w);
            first = false;
        }
        return sb.toString();
    }

    /** Tokenizes one hypothesis per image; fails if the tokenizer output has fewer lines than captions. */
    public static List<String> tokenizeHypotheses(List<String> hypotheses) {
        List<List<String>> in = new ArrayList<>();
        for (String h : hypotheses) in.add(List.of(h));
        List<List<String>> t = tokenize(in);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).isEmpty()) throw new EvalException("PTB tokenizer produced no line for hypothesis " + i);
            out.add(t.get(i).getFirst());
        }
        return out;
    }
}
