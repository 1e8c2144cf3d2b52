package paligemma4j.eval.refcoco;

import paligemma4j.model.output.PillowResize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Fixtures;

/**
 * Pillow BILINEAR resize of mode-F maps and big_vision's box/paste/threshold/IoU logic against
 * Pillow + numpy (golden/resize_iou.json.gz), including the mask paste table of docs/eval-protocols.md#known-answers.
 */
class MaskIouTest {
    static final JsonNode GOLDEN = Fixtures.json("golden/resize_iou.json.gz");

    static float[] map(String name) {
        return Golden.floats(GOLDEN.get("maps").get(name).asText());
    }

    @Test
    void resizeEqualsPillow10BitForBit() {
        assertThat(GOLDEN.get("pillow").asText()).isEqualTo("10.3.0");
        checkResize(GOLDEN, PillowResize.PassOrder.HORIZONTAL_FIRST);
    }

    @Test
    void resizeEqualsPillow13BitForBitWithItsPassOrder() {
        JsonNode g13 = Fixtures.json("golden/resize_pillow13.json.gz");
        assertThat(g13.get("pillow").asText()).startsWith("13.");
        checkResize(g13, PillowResize.PassOrder.PILLOW_13);
    }

    private static void checkResize(JsonNode golden, PillowResize.PassOrder order) {
        int cases = 0;
        for (JsonNode r : golden.get("resized")) {
            int w = r.get("w").asInt(), h = r.get("h").asInt();
            float[] expected = Golden.floats(r.get("values").asText());
            float[] got = PillowResize.bilinear(map(r.get("map").asText()), 64, 64, w, h, order);
            assertThat(got).as("map %s to %dx%d", r.get("map").asText(), w, h).containsExactly(expected);
            cases++;
        }
        assertThat(cases).isEqualTo(36);
    }

    @Test
    void specPasteTable() {
        boolean[] gt = new boolean[100 * 120];
        for (int y = 20; y < 70; y++) for (int x = 30; x < 90; x++) gt[y * 120 + x] = true;
        float[] m64 = map("a");
        int positives = 0;
        for (float v : m64) if (v > 0) positives++;
        assertThat(positives).isEqualTo(2644);
        double[][] expected = {{0.632}, {0.3875968992248062}, {0.124}, {0.0}};
        int i = 0;
        for (JsonNode s : GOLDEN.get("spec_table")) {
            int[] box = ints(s.get("box"));
            SegmentationOutput out = SegmentationOutput.of(box, new int[16]);
            assertThat(MaskIou.pixelBox(box, 100, 120)).containsExactly(ints(s.get("pixel_box")));
            double iou = Math.max(0, MaskIou.iou(out, m64, 64, gt, 100, 120));
            assertThat(iou).isCloseTo(s.get("iou").asDouble(), within(1e-12)).isCloseTo(expected[i][0], within(1e-12));
            if (!s.get("invalid").asBoolean()) {
                int[] pb = MaskIou.pixelBox(box, 100, 120);
                assertThat(Golden.count(MaskIou.pastedMask(m64, 64, pb))).isEqualTo(s.get("pred").asInt());
            } else {
                assertThat(MaskIou.iou(out, m64, 64, gt, 100, 120)).isEqualTo(-1); // counted as invalid
            }
            i++;
        }
        assertThat(i).isEqualTo(4);
    }

    @Test
    void randomBoxesOnFixtureMasksMatchNumpyPillow() {
        Set<Long> ids = new HashSet<>(java.util.List.of(9L, 25L, 30L, 42L));
        CocoInstances coco = CocoInstances.load(Fixtures.path("refcoco/annotations/instances_train2017.json"), ids);
        Map<Long, boolean[]> masks = new HashMap<>();
        Map<Long, int[]> sizes = new HashMap<>();
        for (CocoInstances.Image im : coco.images()) {
            for (CocoInstances.Annotation a : coco.annotations(im.id())) {
                masks.put(a.id(), CocoMask.annToMask(a.segmentation(), im.height(), im.width(), "a"));
                sizes.put(a.id(), new int[] {im.height(), im.width()});
            }
        }
        double maxDiff = 0;
        int n = 0;
        for (JsonNode r : GOLDEN.get("random_boxes")) {
            long ann = r.get("ann_id").asLong();
            int h = sizes.get(ann)[0], w = sizes.get(ann)[1];
            int[] box = ints(r.get("box"));
            SegmentationOutput out = SegmentationOutput.of(box, new int[16]);
            assertThat(MaskIou.pixelBox(box, h, w)).containsExactly(ints(r.get("pixel_box")));
            double iou = MaskIou.iou(out, map(r.get("map").asText()), 64, masks.get(ann), h, w);
            assertThat(iou < 0).isEqualTo(r.get("invalid").asBoolean());
            maxDiff = Math.max(maxDiff, Math.abs(Math.max(iou, 0) - r.get("iou").asDouble()));
            n++;
        }
        assertThat(n).isEqualTo(300);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-6); // measured: 0 (identical arithmetic)
        assertThat(maxDiff).isZero();
    }

    static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }
}
