package paligemma4j.model.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Positional RefCOCO parse (docs/eval-protocols.md#refcoco-parsing). The bases are deliberately not PaliGemma's
 * (256000 / 257024) to show nothing is hard-coded: a tiny tokenizer's loc block can start anywhere.
 */
class RefCocoPredictionTest {

    static final int LOC = 1000;
    static final int SEG = 3000;
    static final int EOS = 1;

    static int[] answer(int y0, int x0, int y1, int x1, int... tail) {
        int[] ids = new int[20 + tail.length];
        ids[0] = LOC + y0;
        ids[1] = LOC + x0;
        ids[2] = LOC + y1;
        ids[3] = LOC + x1;
        for (int j = 0; j < 16; j++) {
            ids[4 + j] = SEG + (j * 9) % 128;
        }
        System.arraycopy(tail, 0, ids, 20, tail.length);
        return ids;
    }

    @Test
    void validAnswerIgnoresEverythingAfterTwentyIds() {
        RefCocoPrediction p = RefCocoPrediction.fromIds(answer(100, 200, 900, 1023, 42, 43, EOS), LOC, SEG);
        assertThat(p.valid()).isTrue();
        assertThat(p.reason()).isNull();
        assertThat(p.box()).containsExactly(100, 200, 900, 1023);
        assertThat(p.codes()).hasSize(16).startsWith(0, 9, 18);
        // Y1 = int(100/1023*480) = 46, X1 = int(200/1023*640) = 125, Y2 = int(900/1023*480) = 422, X2 = 640
        assertThat(p.pixelBox(480, 640)).isEqualTo(new PixelBox(46, 125, 422, 640));
    }

    @Test
    void tooFewIdsIsInvalid() {
        int[] ids = java.util.Arrays.copyOf(answer(1, 2, 3, 4), 19);
        RefCocoPrediction p = RefCocoPrediction.fromIds(ids, LOC, SEG);
        assertThat(p.valid()).isFalse();
        assertThat(p.box()).isNull();
        assertThat(p.reason()).isEqualTo("only 19 ids generated, expected at least 20");
    }

    @Test
    void eosInsideTheFirstTwentyIsInvalid() {
        int[] ids = answer(1, 2, 3, 4);
        ids[12] = EOS;
        RefCocoPrediction p = RefCocoPrediction.fromIds(ids, LOC, SEG);
        assertThat(p.valid()).isFalse();
        assertThat(p.reason()).isEqualTo("id 1 at position 12 is not a seg token");
    }

    @Test
    void segTokenWhereALocBelongsIsInvalid() {
        int[] ids = answer(1, 2, 3, 4);
        ids[3] = SEG + 5;
        assertThat(RefCocoPrediction.fromIds(ids, LOC, SEG).reason()).isEqualTo("id 3005 at position 3 is not a loc token");
    }

    @Test
    void locTokenWhereASegBelongsIsInvalid() {
        int[] ids = answer(1, 2, 3, 4);
        ids[4] = LOC + 7;
        assertThat(RefCocoPrediction.fromIds(ids, LOC, SEG).valid()).isFalse();
    }

    @Test
    void rangeEdgesAreInclusiveExclusive() {
        int[] ids = answer(0, 0, 1023, 1023);
        ids[4] = SEG + 127;
        assertThat(RefCocoPrediction.fromIds(ids, LOC, SEG).valid()).isTrue();
        ids[4] = SEG + 128;
        assertThat(RefCocoPrediction.fromIds(ids, LOC, SEG).valid()).isFalse();
        int[] big = answer(0, 0, 1023, 1024);
        assertThat(RefCocoPrediction.fromIds(big, LOC, SEG).reason()).isEqualTo("id 2024 at position 3 is not a loc token");
    }

    @Test
    void emptyOrInvertedBoxIsInvalid() {
        assertThat(RefCocoPrediction.fromIds(answer(5, 5, 5, 9), LOC, SEG).reason()).isEqualTo("empty box: y 5→5, x 5→9");
        assertThat(RefCocoPrediction.fromIds(answer(5, 9, 6, 8), LOC, SEG).valid()).isFalse();
    }

    @Test
    void validBinsCanStillTruncateToAnEmptyPixelBox() {
        RefCocoPrediction p = RefCocoPrediction.fromIds(answer(10, 10, 11, 11), LOC, SEG);
        assertThat(p.valid()).isTrue();
        assertThat(p.pixelBox(100, 100)).isEqualTo(new PixelBox(0, 0, 1, 1));
        assertThat(p.pixelBox(50, 50).isEmpty()).isTrue(); // int(10/1023*50) = int(11/1023*50) = 0
    }

    @Test
    void invalidPredictionHasNoPixelBox() {
        RefCocoPrediction p = RefCocoPrediction.fromIds(new int[0], LOC, SEG);
        assertThatThrownBy(() -> p.pixelBox(10, 10))
                .hasMessage("invalid RefCOCO prediction has no box: only 0 ids generated, expected at least 20");
    }

    @Test
    void countsCanBeGiven() {
        int[] ids = answer(1, 2, 3, 4);
        assertThat(RefCocoPrediction.fromIds(ids, LOC, 4, SEG, 128).reason()).isEqualTo("id 1004 at position 3 is not a loc token");
        assertThat(RefCocoPrediction.fromIds(ids, LOC, 5, SEG, 128).valid()).isTrue();
    }
}
