package paligemma4j.model.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parser and box conversion versus Python's {@code re} with the demo's object pattern and the two
 * coordinate conventions (scripts/image/make_output_fixtures.py).
 */
class DetectionParserGoldenTest {

    record Case(String text, JsonNode objects) {
        @Override
        public String toString() {
            String t = text.replace("\n", "\\n");
            return "\"" + (t.length() > 60 ? t.substring(0, 60) + "…" : t) + "\"";
        }
    }

    static JsonNode json(String name) throws IOException {
        try (InputStream in = DetectionParserGoldenTest.class.getResourceAsStream("/image/output/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (JsonNode c : json("parse_cases.json").get("cases")) {
            out.add(new Case(c.get("text").asText(), c.get("objects")));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesLikePythonReference(Case c) {
        List<Detection> got = DetectionParser.parse(c.text());
        assertThat(got).hasSize(c.objects().size());
        for (int i = 0; i < got.size(); i++) {
            Detection d = got.get(i);
            JsonNode o = c.objects().get(i);
            assertThat(new int[] {d.y0(), d.x0(), d.y1(), d.x1()}).containsExactly(ints(o.get("box")));
            assertThat(d.label()).isEqualTo(o.get("label").asText());
            if (o.get("seg").isNull()) {
                assertThat(d.segTokens()).isNull();
                assertThat(d.hasMask()).isFalse();
            } else {
                assertThat(d.segTokens()).containsExactly(ints(o.get("seg")));
            }
            for (JsonNode p : o.get("pixels")) {
                int h = p.get("height").asInt();
                int w = p.get("width").asInt();
                assertThat(box(d.toPixels(h, w, BoxConvention.BIG_VISION))).as("big_vision %d×%d", h, w)
                        .containsExactly(ints(p.get("bigVision")));
                assertThat(box(d.toPixels(h, w, BoxConvention.DEMO))).as("demo %d×%d", h, w)
                        .containsExactly(ints(p.get("demo")));
            }
        }
    }

    @Test
    void everyBinOnEverySideConvertsLikePython() throws IOException {
        for (JsonNode s : json("box_conversions.json").get("sides")) {
            int side = s.get("side").asInt();
            int[] bv = ints(s.get("bigVision"));
            int[] demo = ints(s.get("demo"));
            assertThat(bv).hasSize(1024);
            for (int k = 0; k < 1024; k++) {
                assertThat(BoxConvention.BIG_VISION.toPixels(k, k, k, k, side, side).y0())
                        .as("big_vision bin %d side %d", k, side).isEqualTo(bv[k]);
                assertThat(BoxConvention.DEMO.toPixels(k, k, k, k, side, side).x1())
                        .as("demo bin %d side %d", k, side).isEqualTo(demo[k]);
            }
        }
    }

    private static int[] box(PixelBox b) {
        return new int[] {b.y0(), b.x0(), b.y1(), b.x1()};
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
