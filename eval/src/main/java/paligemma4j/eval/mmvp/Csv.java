package paligemma4j.eval.mmvp;

import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.EvalException;

/** A small RFC 4180 reader: comma separated, fields optionally in double quotes with "" as escape, CRLF or LF rows. */
final class Csv {
    private Csv() {}

    static List<List<String>> parse(String s, String name) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0, n = s.length();
        boolean quoted = false, any = false;
        while (i < n) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    field.append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && field.isEmpty()) {
                quoted = true;
                any = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') i++;
                if (any || !field.isEmpty() || !row.isEmpty()) {
                    row.add(field.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                field.setLength(0);
                any = false;
            } else {
                field.append(c);
                any = true;
            }
            i++;
        }
        if (quoted) throw new EvalException(name + ": unterminated quoted field at end of file");
        if (any || !field.isEmpty() || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
