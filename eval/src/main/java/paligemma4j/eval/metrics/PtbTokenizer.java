package paligemma4j.eval.metrics;

import edu.stanford.nlp.ling.CoreLabel;
import edu.stanford.nlp.process.CoreLabelTokenFactory;
import edu.stanford.nlp.process.PTBTokenizer;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Stanford CoreNLP 3.4.1 {@code PTBTokenizer -preserveLines -lowerCase}, run in-process on one
 * text stream exactly as the command line does on a file: tokens of one input line are written
 * separated by single spaces, each lower-cased with {@code Locale.ENGLISH} after tokenization,
 * and every newline the lexer reports ends an output line. Whatever the lexer treats as a line
 * break ({@code \n}, {@code \r}, {@code \r\n}, U+2028, form feed, ...) therefore ends a line.
 *
 * <p>Licence: CoreNLP is GPL v2 (Maven POM of 3.4.1); it is linked into this harness in-process.
 */
public final class PtbTokenizer {
    private PtbTokenizer() {}

    /** The tokenizer's whole standard output for {@code stream}, as one string. */
    public static String tokenizeStream(String stream) {
        StringBuilder out = new StringBuilder(stream.length() + stream.length() / 4);
        String newline = PTBTokenizer.getNewlineToken();
        boolean lineStart = true;
        // ",tokenizeNLs" is the option string the command line builds for -preserveLines; untokenizable
        // characters are deleted as by default ("firstDelete"), only without the log warning.
        PTBTokenizer<CoreLabel> lexer = new PTBTokenizer<>(new StringReader(stream), new CoreLabelTokenFactory(),
                ",tokenizeNLs,untokenizable=noneDelete");
        while (lexer.hasNext()) {
            String word = lexer.next().word();
            if (newline.equals(word)) {
                out.append('\n');
                lineStart = true;
                continue;
            }
            if (!lineStart) out.append(' ');
            lineStart = false;
            out.append(word.toLowerCase(Locale.ENGLISH));
        }
        return asWrittenByUtf8(out);
    }

    /** What a Java UTF-8 writer makes of the text: a lone surrogate becomes '?'. */
    private static String asWrittenByUtf8(CharSequence s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c)
                    ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone && sb == null) sb = new StringBuilder(s.subSequence(0, i));
            if (sb != null) sb.append(lone ? '?' : c);
        }
        return sb == null ? s.toString() : sb.toString();
    }

    /** The output split on {@code '\n'} keeping empty trailing lines, as Python's {@code str.split('\n')}. */
    public static List<String> tokenizeLines(String stream) {
        return new ArrayList<>(Arrays.asList(tokenizeStream(stream).split("\n", -1)));
    }
}
