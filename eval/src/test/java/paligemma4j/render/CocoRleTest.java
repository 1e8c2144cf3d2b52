package paligemma4j.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.refcoco.Rle;

/** COCO compressed RLE: known strings and a round trip through the pycocotools-exact decoder. */
class CocoRleTest {

    @Test
    void knownStrings() {
        // all on 2×2: counts [0, 4]
        assertThat(CocoRle.encode(new boolean[] {true, true, true, true}, 2, 2)).isEqualTo("04");
        // all off 3×1: counts [3]
        assertThat(CocoRle.encode(new boolean[3], 3, 1)).isEqualTo("3");
        // 2×2 with only the bottom-left pixel: column-major 0,1,0,0 → counts [1, 1, 2]
        assertThat(CocoRle.encode(new boolean[] {false, false, true, false}, 2, 2)).isEqualTo("112");
        // 5×1 0,1,0,1,1 → counts [1, 1, 1, 2]; the fourth is stored as 2 − 1 = 1; a negative delta sets bit 0x10
        assertThat(CocoRle.encode(new boolean[] {false, true, false, true, true}, 5, 1)).isEqualTo("1111");
        // 6×1 0,0,0,1,0,1 → counts [3, 1, 1, 1]; fourth: 1 − 1 = 0
        assertThat(CocoRle.encode(new boolean[] {false, false, false, true, false, true}, 6, 1)).isEqualTo("3110");
    }

    @Test
    void roundTripsThroughTheDecoder() {
        Random r = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int h = 1 + r.nextInt(40), w = 1 + r.nextInt(40);
            boolean[] m = new boolean[h * w];
            boolean v = r.nextBoolean();
            for (int i = 0; i < m.length; i++) {
                if (r.nextInt(6) == 0) v = !v;
                m[i] = v;
            }
            String s = CocoRle.encode(m, h, w);
            assertThat(Rle.fromString(s, h, w).decode()).as("trial %d (%dx%d)", trial, h, w).isEqualTo(m);
        }
    }
}
