package paligemma4j.eval.mmvp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.EvalException;

/**
 * MMVP as distributed on the HF hub ({@code MMVP/MMVP}): {@code DIR/Questions.csv} with header
 * {@code Index,Question,Options,Correct Answer} (RFC 4180 quoting) and {@code DIR/MMVP Images/<Index>.jpg}.
 * Rows are kept in file order; pairs are consecutive rows.
 */
public final class MmvpDataset {
    static final List<String> HEADER = List.of("Index", "Question", "Options", "Correct Answer");

    private MmvpDataset() {}

    public static List<MmvpQuestion> load(Path dir) {
        Path csv = dir.resolve("Questions.csv");
        if (!Files.isRegularFile(csv)) throw new EvalException(csv + ": MMVP Questions.csv not found");
        String text;
        try {
            text = Files.readString(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException(csv + ": " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<List<String>> rows = Csv.parse(text, csv.toString());
        if (rows.isEmpty() || !rows.get(0).stream().map(String::trim).toList().equals(HEADER)) {
            throw new EvalException(csv + ": header must be " + String.join(",", HEADER) + ", got "
                    + (rows.isEmpty() ? "an empty file" : String.join(",", rows.get(0))));
        }
        Path images = dir.resolve("MMVP Images");
        List<MmvpQuestion> out = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isBlank()) continue;
            if (row.size() != 4) {
                throw new EvalException(csv + " row " + (r + 1) + ": expected 4 fields, got " + row.size());
            }
            long index;
            try {
                index = Long.parseLong(row.get(0).trim());
            } catch (NumberFormatException e) {
                throw new EvalException(csv + " row " + (r + 1) + ": Index must be an integer, got '" + row.get(0) + "'");
            }
            out.add(new MmvpQuestion(index, row.get(1), row.get(2), row.get(3), images.resolve(index + ".jpg")));
        }
        if (out.size() % 2 != 0) {
            throw new EvalException(csv + ": " + out.size() + " questions, expected an even number (pairs of rows)");
        }
        return out;
    }
}
