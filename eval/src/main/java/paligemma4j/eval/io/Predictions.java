package paligemma4j.eval.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paligemma4j.eval.EvalException;

/**
 * Reads a predictions JSONL file (one object per line, blank lines skipped) and lines it up with
 * a benchmark split. A duplicated id, an id the split does not have, or an example of the split
 * without a prediction is an {@link EvalException} whose one-line message names the id: never a
 * silently partial score. Several files (the shards of one run) are read together by
 * {@link #readAll}, which refuses an id found in two of them.
 */
public final class Predictions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<Long, Prediction> byId;
    private final Map<Long, Path> sources;
    private final String name;

    private Predictions(Path file, Map<Long, Prediction> byId, Map<Long, Path> sources, String name) {
        this.file = file;
        this.byId = byId;
        this.sources = sources;
        this.name = name;
    }

    /**
     * Reads several files as one set of predictions. An id predicted in two files is refused with one
     * line naming both files, how many ids they share and the first few.
     */
    public static Predictions readAll(List<Path> files) {
        if (files.size() == 1) return read(files.get(0));
        Map<Long, Prediction> byId = new LinkedHashMap<>();
        Map<Long, Path> sources = new LinkedHashMap<>();
        for (Path f : files) {
            Predictions one = read(f);
            Path other = null;
            List<Long> shared = new ArrayList<>();
            for (long id : one.byId.keySet()) {
                Path seen = sources.get(id);
                if (seen != null && (other == null || other.equals(seen))) {
                    other = seen;
                    shared.add(id);
                }
            }
            if (other != null) {
                throw new EvalException(other + " and " + f + " both predict " + shared.size() + " id"
                        + (shared.size() == 1 ? "" : "s") + " (" + Ids.firstFew(shared) + "): overlapping predictions"
                        + (other.equals(f) ? " (the same file given twice)" : " (shards of different splits?)"));
            }
            for (Prediction p : one.byId.values()) {
                byId.put(p.id(), p);
                sources.put(p.id(), f);
            }
        }
        return new Predictions(files.get(0), byId, sources, files.size() + " files (" + String.join(", ",
                files.stream().map(Path::toString).toList()) + ")");
    }

    /** Throws naming the first prediction (in file order) whose id is not in {@code splitIds}. */
    public void requireKnown(List<Long> splitIds, String splitName) {
        Set<Long> inSplit = new HashSet<>();
        for (long id : splitIds) {
            if (!inSplit.add(id)) throw new EvalException(splitName + ": the data has id " + id + " twice; ids must be unique");
        }
        for (Prediction p : byId.values()) {
            if (!inSplit.contains(p.id())) {
                throw new EvalException(fileOf(p) + " line " + p.lineNo() + ": id " + p.id() + " is not in " + splitName);
            }
        }
    }

    /** The ids of {@code splitIds} without a prediction, in split order. */
    public List<Long> missing(List<Long> splitIds) {
        List<Long> out = new ArrayList<>();
        for (long id : splitIds) if (!byId.containsKey(id)) out.add(id);
        return out;
    }

    /** Parses every line; each must be an object with an integral {@code id} and a string {@code answer}. */
    public static Predictions read(Path file) {
        Map<Long, Prediction> byId = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String s; (s = r.readLine()) != null; ) {
                lineNo++;
                if (s.isBlank()) continue;
                Prediction p = parseLine(file, lineNo, s);
                Prediction old = byId.putIfAbsent(p.id(), p);
                if (old != null) {
                    throw new EvalException(file + " line " + lineNo + ": duplicate id " + p.id()
                            + " (first on line " + old.lineNo() + ")");
                }
            }
        } catch (IOException e) {
            throw new EvalException(file + ": cannot read predictions: " + e.getMessage(), e);
        }
        return new Predictions(file, byId, null, file.toString());
    }

    static Prediction parseLine(Path file, int lineNo, String s) {
        JsonNode n;
        try {
            n = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new EvalException(file + " line " + lineNo + ": not a JSON object: "
                    + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new EvalException(file + " line " + lineNo + ": expected a JSON object");
        JsonNode id = n.get("id");
        long idValue;
        if (id != null && id.isIntegralNumber() && id.canConvertToLong()) {
            idValue = id.longValue();
        } else if (id != null && id.isTextual() && id.asText().matches("-?\\d{1,18}")) {
            idValue = Long.parseLong(id.asText());
        } else {
            throw new EvalException(file + " line " + lineNo + ": field \"id\" must be an integer, got "
                    + (id == null ? "nothing" : id.toString()));
        }
        JsonNode answer = n.get("answer");
        if (answer == null || !answer.isTextual()) {
            throw new EvalException(file + " line " + lineNo + ": field \"answer\" must be a string, got "
                    + (answer == null ? "nothing" : answer.toString()));
        }
        return new Prediction(idValue, answer.asText(), n, lineNo);
    }

    /** All predictions by id, in file order. */
    public Map<Long, Prediction> byId() {
        return byId;
    }

    public Path file() {
        return file;
    }

    /** The file {@code p} was read from. */
    public Path fileOf(Prediction p) {
        return sources == null ? file : sources.get(p.id());
    }

    /**
     * The predictions for {@code splitIds}, in that order. Throws naming the first id of the split
     * without a prediction, or the first id (in file order) that is not in the split.
     */
    public List<Prediction> align(List<Long> splitIds, String splitName) {
        requireKnown(splitIds, splitName);
        List<Prediction> out = new ArrayList<>(splitIds.size());
        for (long id : splitIds) {
            Prediction p = byId.get(id);
            if (p == null) {
                throw new EvalException(name + ": no prediction for id " + id + " of " + splitName + " ("
                        + byId.size() + " predictions for " + splitIds.size() + " examples)");
            }
            out.add(p);
        }
        return out;
    }
}
