package paligemma4j.eval.refcoco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paligemma4j.eval.EvalException;

/**
 * The parts of a COCO {@code instances_*.json} that the RefCOCO protocol needs, for a set of image
 * ids only (the real train2017 file is ~450 MB, so it is streamed): images in file order and, per
 * image, its annotations in file order (as pycocotools' {@code getImgIds}/{@code getAnnIds} list them).
 */
public final class CocoInstances {
    /** An image entry: {@code id}, {@code file_name}, {@code height}, {@code width}. */
    public record Image(long id, String fileName, int height, int width) {}

    /** An annotation entry: {@code id}, {@code image_id}, {@code segmentation}, {@code bbox} [x, y, w, h], {@code iscrowd}. */
    public record Annotation(long id, long imageId, JsonNode segmentation, double[] bbox, boolean iscrowd) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Image> images;
    private final Map<Long, List<Annotation>> annotationsByImage;

    private CocoInstances(List<Image> images, Map<Long, List<Annotation>> anns) {
        this.images = images;
        this.annotationsByImage = anns;
    }

    /** Images in file order. */
    public List<Image> images() {
        return images;
    }

    /** The image's annotations in file order (empty if none). */
    public List<Annotation> annotations(long imageId) {
        return annotationsByImage.getOrDefault(imageId, List.of());
    }

    /** Streams {@code file}, keeping the images with ids in {@code imageIds} and their annotations. */
    public static CocoInstances load(Path file, Set<Long> imageIds) {
        if (!Files.isRegularFile(file)) throw new EvalException(file + ": COCO instances file not found");
        List<Image> images = new ArrayList<>();
        Map<Long, List<Annotation>> anns = new LinkedHashMap<>();
        boolean sawImages = false, sawAnns = false;
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new EvalException(file + ": expected a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                if (!(key.equals("images") || key.equals("annotations")) || t != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                int i = 0;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode n = p.readValueAsTree();
                    String where = file + " " + key + "[" + i++ + "]";
                    if (key.equals("images")) {
                        sawImages = true;
                        long id = longField(n, "id", where);
                        if (!imageIds.contains(id)) continue;
                        images.add(new Image(id, n.path("file_name").asText(), (int) longField(n, "height", where),
                                (int) longField(n, "width", where)));
                    } else {
                        sawAnns = true;
                        long imageId = longField(n, "image_id", where);
                        if (!imageIds.contains(imageId)) continue;
                        double[] bbox = new double[4];
                        JsonNode b = n.get("bbox");
                        for (int k = 0; k < 4 && b != null && k < b.size(); k++) bbox[k] = b.get(k).asDouble();
                        anns.computeIfAbsent(imageId, x -> new ArrayList<>()).add(new Annotation(
                                longField(n, "id", where), imageId, n.get("segmentation"), bbox,
                                n.path("iscrowd").asInt(0) != 0));
                    }
                }
            }
        } catch (IOException e) {
            throw new EvalException(file + ": " + e.getMessage(), e);
        }
        if (!sawImages) throw new EvalException(file + ": no \"images\" array");
        if (!sawAnns) throw new EvalException(file + ": no \"annotations\" array");
        return new CocoInstances(images, anns);
    }

    private static long longField(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber()) throw new EvalException(where + ": \"" + key + "\" must be an integer");
        return v.longValue();
    }
}
