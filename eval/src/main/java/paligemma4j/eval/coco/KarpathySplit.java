package paligemma4j.eval.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import paligemma4j.eval.EvalException;

/**
 * Karpathy's {@code dataset_coco.json} (from {@code caption_datasets.zip}): {@code images[]} with
 * {@code split}, {@code cocoid}, {@code filepath}, {@code filename} and {@code sentences[].raw}.
 * Streams the file (the real one is ~140 MB) and keeps only the images of one split, in file order.
 */
public final class KarpathySplit {
    public static final String FILE_NAME = "dataset_coco.json";
    /** Splits of the file; published CIDEr is on {@code val}. */
    public static final List<String> SPLITS = List.of("val", "test", "train", "restval");

    private static final ObjectMapper JSON = new ObjectMapper();

    private KarpathySplit() {}

    /** Loads {@code DIR/dataset_coco.json}, images with {@code split == split}; paths are under DIR. */
    public static List<CocoImage> load(Path dir, String split) {
        return load(dir.resolve(FILE_NAME), split, dir);
    }

    public static List<CocoImage> load(Path file, String split, Path imageRoot) {
        if (!SPLITS.contains(split)) {
            throw new EvalException("Karpathy split must be one of " + String.join("|", SPLITS) + ", got '" + split + "'");
        }
        if (!Files.isRegularFile(file)) throw new EvalException(file + ": Karpathy split file not found");
        List<CocoImage> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        boolean sawImages = false;
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new EvalException(file + ": expected a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                if (!key.equals("images")) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) throw new EvalException(file + ": \"images\" must be an array");
                sawImages = true;
                int i = 0;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode img = p.readValueAsTree();
                    String where = file + " images[" + i++ + "]";
                    JsonNode s = img.get("split");
                    if (s == null || !s.isTextual()) throw new EvalException(where + ": missing \"split\"");
                    if (!s.asText().equals(split)) continue;
                    out.add(image(img, where, imageRoot));
                    if (!seen.add(out.getLast().cocoid())) {
                        throw new EvalException(where + ": duplicate cocoid " + out.getLast().cocoid());
                    }
                }
            }
        } catch (IOException e) {
            throw new EvalException(file + ": " + e.getMessage(), e);
        }
        if (!sawImages) throw new EvalException(file + ": no \"images\" array");
        return out;
    }

    private static CocoImage image(JsonNode img, String where, Path root) {
        JsonNode id = img.get("cocoid");
        if (id == null || !id.isIntegralNumber()) throw new EvalException(where + ": \"cocoid\" must be an integer");
        String filepath = img.path("filepath").asText("");
        String filename = img.path("filename").asText("");
        JsonNode sentences = img.get("sentences");
        if (sentences == null || !sentences.isArray() || sentences.isEmpty()) {
            throw new EvalException(where + ": \"sentences\" must be a non-empty array");
        }
        List<String> refs = new ArrayList<>();
        for (JsonNode s : sentences) {
            JsonNode raw = s.get("raw");
            if (raw == null || !raw.isTextual()) throw new EvalException(where + ": a sentence has no string \"raw\"");
            refs.add(raw.asText());
        }
        return new CocoImage(id.longValue(), filepath, filename, List.copyOf(refs), root.resolve(filepath).resolve(filename));
    }
}
