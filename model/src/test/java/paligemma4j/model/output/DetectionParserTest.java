package paligemma4j.model.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-checked parser and conversion cases (the Python-checked ones are in DetectionParserGoldenTest). */
class DetectionParserTest {

    @Test
    void detectAnswerWithTwoObjects() {
        List<Detection> d = DetectionParser.parse("<loc0256><loc0512><loc0768><loc1023> cat ; <loc0000><loc0001><loc0002><loc0003> dog");
        assertThat(d).containsExactly(
                new Detection(256, 512, 768, 1023, "cat", null),
                new Detection(0, 1, 2, 3, "dog", null));
        assertThat(d.get(0).hasValidBox()).isTrue();
    }

    @Test
    void segmentAnswerCarriesSixteenCodes() {
        StringBuilder s = new StringBuilder("<loc0010><loc0020><loc0900><loc0800>");
        for (int j = 0; j < 16; j++) {
            s.append(String.format("<seg%03d>", 127 - j * 3));
        }
        s.append(" person on the left");
        Detection d = DetectionParser.parse(s.toString()).getFirst();
        assertThat(d.label()).isEqualTo("person on the left");
        assertThat(d.segTokens()).hasSize(16).startsWith(127, 124, 121).endsWith(82);
    }

    @Test
    void validityFollowsBigVision() {
        assertThat(new Detection(5, 5, 5, 6, "", null).hasValidBox()).isFalse(); // y_max == y_min
        assertThat(new Detection(5, 7, 6, 6, "", null).hasValidBox()).isFalse(); // x_max < x_min
        assertThat(new Detection(5, 5, 6, 6, "", null).hasValidBox()).isTrue();
    }

    @Test
    void conventionsDifferAsDocumented() {
        // k = 512 on a 480-pixel side: big_vision int(512/1023*480) = 240, demo round(512/1024*480) = 240;
        // k = 1023: big_vision gives the full side (480), demo round(1023/1024*480) = 480 (479.53 → 480).
        assertThat(BoxConvention.BIG_VISION.toPixels(512, 0, 1023, 1023, 480, 640))
                .isEqualTo(new PixelBox(240, 0, 480, 640));
        assertThat(BoxConvention.DEMO.toPixels(512, 0, 1023, 1023, 480, 640))
                .isEqualTo(new PixelBox(240, 0, 480, 639));
        // half-to-even: k = 2 on a 256 side is exactly 0.5 under /1024 → 0; k = 6 → 1.5 → 2
        assertThat(BoxConvention.DEMO.toPixels(2, 6, 2, 6, 256, 256)).isEqualTo(new PixelBox(0, 2, 0, 2));
        // big_vision truncates: k = 1022 of side 1023 → 1022 * 1023 / 1023 = 1022.0 exactly in double
        assertThat(BoxConvention.BIG_VISION.toPixels(1022, 1, 1022, 1, 1023, 1023).y0()).isEqualTo(1022);
    }

    @Test
    void smallImagesCanCollapseABoxToEmpty() {
        PixelBox b = BoxConvention.BIG_VISION.toPixels(100, 100, 200, 200, 5, 5);
        assertThat(b).isEqualTo(new PixelBox(0, 0, 0, 0));
        assertThat(b.isEmpty()).isTrue();
        assertThat(new PixelBox(1, 2, 4, 7).height()).isEqualTo(3);
        assertThat(new PixelBox(1, 2, 4, 7).width()).isEqualTo(5);
    }

    @Test
    void noLocTokensMeansNoDetections() {
        assertThat(DetectionParser.parse("a cat sitting on a mat")).isEmpty();
        assertThat(DetectionParser.parse("")).isEmpty();
    }

    @Test
    void badImageSizeIsRejected() {
        assertThatThrownBy(() -> BoxConvention.DEMO.toPixels(0, 0, 1, 1, 0, 10))
                .hasMessage("image size must be positive, got 0×10");
    }

    @Test
    void detectionIsImmutable() {
        int[] seg = new int[16];
        Detection d = new Detection(0, 0, 1, 1, "x", seg);
        seg[0] = 99;
        d.segTokens()[1] = 99;
        assertThat(d.segTokens()).containsOnly(0);
    }
}
