package paligemma4j.eval.coco;

import java.nio.file.Path;
import java.util.List;

/**
 * One image of the Karpathy split file.
 *
 * @param cocoid     {@code cocoid}: the prediction id
 * @param filepath   {@code filepath}, e.g. {@code val2014}
 * @param filename   {@code filename}, e.g. {@code COCO_val2014_000000391895.jpg}
 * @param references every {@code sentences[].raw} of the image, in file order (not capped at 5)
 * @param imagePath  {@code DIR/<filepath>/<filename>}
 */
public record CocoImage(long cocoid, String filepath, String filename, List<String> references, Path imagePath) {}
