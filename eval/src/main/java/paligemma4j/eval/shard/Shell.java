package paligemma4j.eval.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import paligemma4j.eval.EvalException;

/** POSIX shell quoting and word splitting, for the printed shard commands and {@code --sbatch-args}. */
public final class Shell {
    private Shell() {}

    /** {@code s} as one shell word: unchanged if it has only safe characters, else in single quotes. */
    public static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static String join(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }

    /** Splits {@code s} into words as a shell would (whitespace; single and double quotes; backslash), no expansion. */
    public static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < s.length()) w.append(s.charAt(++i));
                else w.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) words.add(w.toString());
                w.setLength(0);
                inWord = false;
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) throw new EvalException("--sbatch-args: unclosed " + quote + " in '" + s + "'");
        if (inWord) words.add(w.toString());
        return words;
    }
}
