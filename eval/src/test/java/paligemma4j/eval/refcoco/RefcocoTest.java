package paligemma4j.eval.refcoco;

import paligemma4j.model.output.VqVaeDecoder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Fixtures;
import paligemma4j.eval.io.Prediction;
import paligemma4j.eval.io.Predictions;

/**
 * RefCOCO end to end on the fixture: Python-2 pickles (protocol 2 and 0) read with razorvine, the
 * flat split order of big_vision's builder (pycocotools + pickle.load in golden_refcoco.py), positional
 * parsing, and mIoU / invalid counts equal to the numpy + Pillow 10.3 + pycocotools + PyTorch reference.
 */
class RefcocoTest {
    static final Path DIR = Fixtures.path("refcoco");
    static final JsonNode EXPECTED = Fixtures.json("refcoco/expected.json");

    /** The weights of refcoco/vae-oid.npz, rebuilt without the checkpoint loader. */
    static VqVaeDecoder smallVae() {
        JsonNode meta = VqVaeDecoderTest.META;
        return VqVaeDecoderTest.fromLayout(meta.get("layout_small"), meta.get("small").get("seed_base").asInt(),
                Map.of("decoder.12.bias", new float[] {0.15f}));
    }

    @Test
    void picklesReadAsPython2Wrote() {
        List<Ref> refs = ReferPickle.load(DIR.resolve("refcoco/refs(unc).p"));
        assertThat(refs).hasSize(11);
        Ref r0 = refs.getFirst();
        assertThat(r0.refId()).isZero();
        assertThat(r0.annId()).isEqualTo(104);
        assertThat(r0.split()).isEqualTo("val");
        assertThat(r0.sentences()).extracting(Ref.Sentence::sent).containsExactly("woman on left", "left lady");
        assertThat(r0.sentences().getFirst().raw()).isEqualTo("WOMAN ON LEFT ");
        List<Ref> g = ReferPickle.load(DIR.resolve("refcocog/refs(umd).p")); // protocol 0
        assertThat(g.getFirst().sentences().getFirst().sent()).isEqualTo("the two boxes that aren't touching");
    }

    @Test
    void flatSplitsFollowBigVisionOrder() {
        for (var e : iterable()) {
            String[] dk = e.getKey().split("/");
            List<RefExample> ex = RefcocoDataset.load(DIR, dk[0], dk[1]);
            JsonNode x = e.getValue();
            assertThat(ex).extracting(RefExample::sentId).as(e.getKey())
                    .containsExactlyElementsOf(longs(x.get("sent_ids")));
            assertThat(ex).extracting(RefExample::annId).containsExactlyElementsOf(longs(x.get("ann_ids")));
            assertThat(ex).extracting(RefExample::sent).containsExactlyElementsOf(Fixtures.strings(x.get("sents")));
        }
        RefExample first = RefcocoDataset.load(DIR, "refcoco", "val").getFirst();
        assertThat(first.imagePath()).isEqualTo(DIR.resolve("train2017/000000000009.jpg"));
        assertThat(first.height()).isEqualTo(48);
        assertThat(first.width()).isEqualTo(64);
    }

    @Test
    void miouMatchesReference() {
        VqVaeDecoder vae = smallVae();
        for (var e : iterable()) {
            String[] dk = e.getKey().split("/");
            JsonNode x = e.getValue();
            List<RefExample> ex = RefcocoDataset.load(DIR, dk[0], dk[1]);
            List<Prediction> preds = Predictions.read(DIR.resolve(x.get("file").asText()))
                    .align(ex.stream().map(RefExample::sentId).toList(), e.getKey());
            List<SegmentationOutput> outs = new ArrayList<>();
            for (Prediction p : preds) outs.add(parse(p));
            RefcocoScore s = RefcocoScorer.score(ex, outs, vae);
            assertThat(s.n()).isEqualTo(x.get("n").asInt());
            assertThat(s.invalid()).as(e.getKey()).isEqualTo(x.get("invalid").asInt());
            for (int i = 0; i < s.n(); i++) {
                assertThat(s.ious()[i]).as("%s #%d", e.getKey(), i).isCloseTo(x.get("ious").get(i).asDouble(), within(1e-6));
            }
            assertThat(100 * s.miou()).isCloseTo(x.get("miou").asDouble(), within(1e-6));
            for (int i = 0; i < s.n(); i++) {
                assertThat(s.boxIous()[i]).as("%s box #%d", e.getKey(), i)
                        .isCloseTo(x.get("box_ious").get(i).asDouble(), within(1e-12));
            }
            assertThat(100 * s.boxAccuracy(0.5)).isCloseTo(x.get("boxacc_05").asDouble(), within(1e-9));
            assertThat(100 * s.boxAccuracy(0.75)).isCloseTo(x.get("boxacc_075").asDouble(), within(1e-9));
        }
    }

    @Test
    void positionalParse() {
        String good = "<loc0205><loc0256><loc0716><loc0768>" + "<seg001>".repeat(16);
        SegmentationOutput o = SegmentationOutput.parseText(good + " trailing <eos>");
        assertThat(o.valid()).isTrue();
        assertThat(o.box()).containsExactly(205, 256, 716, 768);
        assertThat(SegmentationOutput.parseText(" " + good).valid()).isFalse();
        assertThat(SegmentationOutput.parseText("segment " + good).valid()).isFalse();
        assertThat(SegmentationOutput.parseText(good.substring(0, good.length() - 8)).valid()).isFalse();
        assertThat(SegmentationOutput.parseText("").valid()).isFalse();
        assertThat(SegmentationOutput.parseText("<loc0716><loc0256><loc0205><loc0768>" + "<seg001>".repeat(16)).valid())
                .isFalse(); // y2 <= y1
        assertThat(SegmentationOutput.parseText("<loc1500><loc0256><loc1716><loc0768>" + "<seg001>".repeat(16)).valid())
                .isFalse(); // not a vocabulary token
        assertThat(SegmentationOutput.parseText("<loc0205><loc0256><loc0716><loc0768>" + "<seg128>".repeat(16)).valid())
                .isFalse();
        assertThat(MaskIou.pixelBox(new int[] {300, 300, 310, 305}, 100, 120)).containsExactly(29, 35, 30, 35);
    }

    static SegmentationOutput parse(Prediction p) {
        JsonNode t = p.line().get("tokens");
        return t != null ? SegmentationOutput.parsePieces(Fixtures.strings(t)) : SegmentationOutput.parseText(p.answer());
    }

    static Iterable<Map.Entry<String, JsonNode>> iterable() {
        List<Map.Entry<String, JsonNode>> l = new ArrayList<>();
        EXPECTED.fields().forEachRemaining(l::add);
        assertThat(l).hasSize(7);
        return l;
    }

    static List<Long> longs(JsonNode a) {
        List<Long> l = new ArrayList<>();
        for (JsonNode n : a) l.add(n.asLong());
        return l;
    }
}
