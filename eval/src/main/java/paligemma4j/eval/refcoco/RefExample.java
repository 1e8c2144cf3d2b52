package paligemma4j.eval.refcoco;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * One flat RefCOCO example: one (image, annotation, sentence), as big_vision's {@code *_flat} splits.
 *
 * @param sentId       {@code sent_id}: the prediction id
 * @param sent         the prompt (the cleaned {@code sent}, no {@code segment } prefix)
 * @param annId        COCO annotation id of the referred object
 * @param imageId      COCO image id
 * @param imagePath    {@code DIR/train2017/<file_name>}
 * @param height       image height H
 * @param width        image width W
 * @param segmentation the annotation's COCO segmentation (polygons or RLE)
 * @param bbox         the annotation's COCO {@code bbox} {@code [x, y, w, h]} in pixels
 */
public record RefExample(long sentId, String sent, long annId, long imageId, Path imagePath, int height, int width,
        JsonNode segmentation, double[] bbox) {

    /** The ground-truth box as big_vision's builder stores it: {@code (ymin, xmin, ymax, xmax)} in [0, 1]. */
    public double[] normalizedBox() {
        return new double[] {bbox[1] / height, bbox[0] / width, (bbox[1] + bbox[3]) / height, (bbox[0] + bbox[2]) / width};
    }

    /** The ground-truth mask at full resolution, row-major H×W, rasterised as pycocotools' annToMask. */
    public boolean[] groundTruthMask() {
        return CocoMask.annToMask(segmentation, height, width, "annotation " + annId);
    }
}
