package paligemma4j.eval.refcoco;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Fixtures;

/** Ground-truth masks equal pycocotools pixel for pixel (golden/masks.json.gz from scripts/eval/golden_refcoco.py). */
class CocoMaskTest {
    static final JsonNode GOLDEN = Fixtures.json("golden/masks.json.gz");

    @Test
    void fixtureAnnotationsMatchAnnToMask() {
        Set<Long> ids = new HashSet<>();
        for (long id : new long[] {5, 9, 25, 30, 42}) ids.add(id);
        CocoInstances coco = CocoInstances.load(Fixtures.path("refcoco/annotations/instances_train2017.json"), ids);
        int checked = 0;
        for (JsonNode g : GOLDEN.get("fixture")) {
            CocoInstances.Annotation ann = null;
            CocoInstances.Image img = null;
            for (CocoInstances.Image im : coco.images()) {
                for (CocoInstances.Annotation a : coco.annotations(im.id())) {
                    if (a.id() == g.get("ann_id").asLong()) {
                        ann = a;
                        img = im;
                    }
                }
            }
            assertThat(ann).as("annotation %s", g.get("ann_id")).isNotNull();
            int h = g.get("h").asInt(), w = g.get("w").asInt();
            assertThat(img.height()).isEqualTo(h);
            boolean[] mask = CocoMask.annToMask(ann.segmentation(), h, w, "ann " + ann.id());
            assertThat(mask).as("annotation %d", ann.id()).isEqualTo(Golden.bits(g.get("bits").asText(), h * w));
            assertThat(Golden.count(mask)).isEqualTo(g.get("area").asInt());
            checked++;
        }
        assertThat(checked).isEqualTo(9);
    }

    @Test
    void randomPolygonSetsMatchFrPyObjectsMergeDecode() {
        int n = 0;
        for (JsonNode g : GOLDEN.get("polygons")) {
            int h = g.get("h").asInt(), w = g.get("w").asInt();
            boolean[] mask = CocoMask.annToMask(g.get("polygons"), h, w, "polygon set " + n);
            assertThat(mask).as("polygon set %d (%dx%d) %s", n, h, w, g.get("polygons"))
                    .isEqualTo(Golden.bits(g.get("bits").asText(), h * w));
            n++;
        }
        assertThat(n).isEqualTo(400);
    }

    @Test
    void compressedRleStringsDecodeAsPycocotools() {
        for (JsonNode g : GOLDEN.get("rle_strings")) {
            int h = g.get("h").asInt(), w = g.get("w").asInt();
            boolean[] mask = Rle.fromString(g.get("counts").asText(), h, w).decode();
            assertThat(mask).as("counts %s", g.get("counts")).isEqualTo(Golden.bits(g.get("bits").asText(), h * w));
        }
    }
}
