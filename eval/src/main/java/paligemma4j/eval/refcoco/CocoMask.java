package paligemma4j.eval.refcoco;

import com.fasterxml.jackson.databind.JsonNode;
import paligemma4j.eval.EvalException;

/**
 * pycocotools {@code COCO.annToMask}: an annotation's {@code segmentation} (a list of polygons,
 * an uncompressed RLE {@code {"size": [h, w], "counts": [..]}} or a compressed one with a string
 * {@code counts}) → the binary mask, row-major {@code h × w}. Polygons are rasterised with the
 * image's size and united (each polygon uses its first {@code 2·⌊n/2⌋} numbers); RLE objects carry
 * their own size.
 */
public final class CocoMask {
    private CocoMask() {}

    public static boolean[] annToMask(JsonNode segmentation, int h, int w, String where) {
        try {
            return decode(segmentation, h, w, where);
        } catch (EvalException e) {
            throw e.getMessage().startsWith(where) ? e : new EvalException(where + ": " + e.getMessage(), e);
        }
    }

    private static boolean[] decode(JsonNode segmentation, int h, int w, String where) {
        if (segmentation == null) throw new EvalException(where + ": annotation has no \"segmentation\"");
        if (segmentation.isArray()) {
            // pycocotools reads a first entry of 4 numbers as boxes and fails on it (and on an empty list)
            if (segmentation.isEmpty() || !segmentation.get(0).isArray() || segmentation.get(0).size() <= 4) {
                throw new EvalException(where + ": segmentation must start with a polygon of at least 3 points, got "
                        + segmentation);
            }
            boolean[] mask = new boolean[h * w];
            for (JsonNode poly : segmentation) {
                if (!poly.isArray()) throw new EvalException(where + ": polygon must be an array of numbers");
                double[] xy = new double[poly.size()];
                for (int i = 0; i < xy.length; i++) xy[i] = poly.get(i).asDouble();
                boolean[] m = Rle.fromPolygon(xy, h, w).decode();
                for (int i = 0; i < m.length; i++) mask[i] |= m[i];
            }
            return mask;
        }
        JsonNode size = segmentation.get("size");
        JsonNode counts = segmentation.get("counts");
        if (size == null || !size.isArray() || size.size() != 2 || counts == null) {
            throw new EvalException(where + ": segmentation must be polygons or an RLE {size, counts}");
        }
        int rh = size.get(0).asInt(), rw = size.get(1).asInt();
        Rle rle;
        if (counts.isArray()) {
            long[] c = new long[counts.size()];
            for (int i = 0; i < c.length; i++) c[i] = counts.get(i).asLong();
            rle = new Rle(rh, rw, c);
        } else if (counts.isTextual()) {
            rle = Rle.fromString(counts.asText(), rh, rw);
        } else {
            throw new EvalException(where + ": RLE counts must be a list or a string");
        }
        if (rh != h || rw != w) {
            throw new EvalException(where + ": RLE size " + rh + "x" + rw + " differs from the image's " + h + "x" + w);
        }
        return rle.decode();
    }
}
