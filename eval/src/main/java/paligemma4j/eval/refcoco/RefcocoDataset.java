package paligemma4j.eval.refcoco;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paligemma4j.eval.EvalException;

/**
 * RefCOCO / RefCOCO+ / RefCOCOg(umd) flat splits as big_vision's {@code ref_coco_bv} builder makes
 * them, from the files as distributed: {@code DIR/refcoco/refs(unc).p}, {@code DIR/refcoco+/refs(unc).p},
 * {@code DIR/refcocog/refs(umd).p}, {@code DIR/annotations/instances_train2017.json}, images in
 * {@code DIR/train2017/}. Refs of the split are grouped by {@code ann_id} (sentences of all refs of
 * that annotation, in ref order); examples follow the images of the instances file, each image's
 * annotations in file order, then the sentences. Refs whose image or annotation is missing from the
 * instances file are dropped, as the builder does.
 */
public final class RefcocoDataset {
    private RefcocoDataset() {}

    /** {@code refcoco}, {@code refcoco+} or {@code refcocog} → the pickle under DIR. */
    public static Path picklePath(Path dir, String dataset) {
        return switch (dataset) {
            case "refcoco" -> dir.resolve("refcoco").resolve("refs(unc).p");
            case "refcoco+", "refcocoplus" -> dir.resolve("refcoco+").resolve("refs(unc).p");
            case "refcocog" -> dir.resolve("refcocog").resolve("refs(umd).p");
            default -> throw new EvalException("--dataset must be refcoco|refcoco+|refcocog, got '" + dataset + "'");
        };
    }

    /** Split names of each dataset; {@code validation} is accepted for {@code val}. */
    public static List<String> splits(String dataset) {
        return dataset.equals("refcocog") ? List.of("val", "test", "train") : List.of("val", "testA", "testB", "train");
    }

    public static List<RefExample> load(Path dir, String dataset, String split) {
        String s = split.equals("validation") ? "val" : split;
        if (!splits(dataset).contains(s)) {
            throw new EvalException(dataset + " has splits " + String.join("|", splits(dataset)) + ", got '" + split + "'");
        }
        List<Ref> refs = ReferPickle.load(picklePath(dir, dataset));
        return flatten(refs, s, dir.resolve("annotations").resolve("instances_train2017.json"), dir.resolve("train2017"));
    }

    /** The flat examples of {@code split} given loaded refs and an instances file. */
    public static List<RefExample> flatten(List<Ref> refs, String split, Path instancesFile, Path imageDir) {
        Set<Long> imageIds = new HashSet<>();
        Map<Long, List<Ref.Sentence>> byAnn = new LinkedHashMap<>();
        for (Ref r : refs) {
            if (!r.split().equals(split)) continue;
            imageIds.add(r.imageId());
            byAnn.computeIfAbsent(r.annId(), k -> new ArrayList<>()).addAll(r.sentences());
        }
        CocoInstances coco = CocoInstances.load(instancesFile, imageIds);
        List<RefExample> out = new ArrayList<>();
        for (CocoInstances.Image img : coco.images()) {
            for (CocoInstances.Annotation ann : coco.annotations(img.id())) {
                List<Ref.Sentence> sentences = byAnn.get(ann.id());
                if (sentences == null) continue;
                for (Ref.Sentence sen : sentences) {
                    out.add(new RefExample(sen.sentId(), sen.sent(), ann.id(), img.id(),
                            imageDir.resolve(img.fileName()), img.height(), img.width(), ann.segmentation(), ann.bbox()));
                }
            }
        }
        return out;
    }
}
