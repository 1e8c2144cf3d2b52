package paligemma4j.eval.pope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import paligemma4j.eval.EvalException;

/**
 * The POPE questions of one split as distributed by AoiDragon/POPE: {@code DIR/coco_pope_SPLIT.json},
 * JSON Lines despite the extension. Images are COCO val2014, looked for in {@code DIR/val2014/}.
 */
public final class PopeDataset {
    /** The three splits, each a file {@code coco_pope_<split>.json}. */
    public static final List<String> SPLITS = List.of("random", "popular", "adversarial");

    private static final ObjectMapper JSON = new ObjectMapper();

    private PopeDataset() {}

    public static Path file(Path dir, String split) {
        if (!SPLITS.contains(split)) {
            throw new EvalException("POPE split must be one of " + String.join("|", SPLITS) + ", got '" + split + "'");
        }
        return dir.resolve("coco_pope_" + split + ".json");
    }

    /** Loads {@code DIR/coco_pope_SPLIT.json} in file order. */
    public static List<PopeQuestion> load(Path dir, String split) {
        return load(file(dir, split), dir.resolve("val2014"));
    }

    /** Loads one question file; {@code imageDir} is where the val2014 images are. */
    public static List<PopeQuestion> load(Path file, Path imageDir) {
        if (!Files.isRegularFile(file)) throw new EvalException(file + ": POPE question file not found");
        List<PopeQuestion> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String s; (s = r.readLine()) != null; ) {
                lineNo++;
                if (s.isBlank()) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(s);
                } catch (IOException e) {
                    throw new EvalException(file + " line " + lineNo + ": not JSON (expected JSON Lines)");
                }
                String where = file + " line " + lineNo;
                long id = requireInt(n, "question_id", where);
                String image = requireText(n, "image", where);
                String text = requireText(n, "text", where);
                String label = requireText(n, "label", where);
                if (!label.equals("yes") && !label.equals("no")) {
                    throw new EvalException(where + ": label must be yes or no, got '" + label + "'");
                }
                if (!seen.add(id)) throw new EvalException(where + ": duplicate question_id " + id);
                out.add(new PopeQuestion(id, image, text, label, imageDir.resolve(image)));
            }
        } catch (IOException e) {
            throw new EvalException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    static long requireInt(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber()) {
            throw new EvalException(where + ": field \"" + key + "\" must be an integer, got " + v);
        }
        return v.longValue();
    }

    static String requireText(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new EvalException(where + ": field \"" + key + "\" must be a string, got " + v);
        }
        return v.asText();
    }
}
