package paligemma4j.model.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Answers read as objects in original-image pixels under both loc conventions, and what cannot be read. */
class ParsedAnswerTest {

    private static final String TWO = "<loc0100><loc0200><loc0500><loc0600> cat ; <loc0000><loc0512><loc1023><loc1023> dog";

    @Test
    void bigVisionConventionTruncatesBinOver1023TimesSide() {
        ParsedAnswer a = ParsedAnswer.parse("detect cat ; dog", TWO, 480, 360, BoxConvention.BIG_VISION);
        assertThat(a.warnings()).isEmpty();
        assertThat(a.objects()).extracting(AnswerObject::label).containsExactly("cat", "dog");
        // int(100/1023*480)=46, int(200/1023*360)=70, int(500/1023*480)=234, int(600/1023*360)=211
        assertThat(a.objects().get(0).box()).isEqualTo(new PixelBox(46, 70, 234, 211));
        // bin 1023 is the far edge: exactly the side
        assertThat(a.objects().get(1).box()).isEqualTo(new PixelBox(0, 180, 480, 360));
    }

    @Test
    void demoConventionRoundsBinOver1024TimesSide() {
        ParsedAnswer a = ParsedAnswer.parse("detect cat ; dog", TWO, 480, 360, BoxConvention.DEMO);
        // round(100/1024*480)=round(46.875)=47, round(200/1024*360)=round(70.3125)=70,
        // round(500/1024*480)=round(234.375)=234, round(600/1024*360)=round(210.9375)=211
        assertThat(a.objects().get(0).box()).isEqualTo(new PixelBox(47, 70, 234, 211));
        // bin 512 → round(180.0)=180; bin 1023 → round(479.53)=480, round(359.65)=360
        assertThat(a.objects().get(1).box()).isEqualTo(new PixelBox(0, 180, 480, 360));
    }

    @Test
    void conventionsDifferOnHalfwayBins() {
        // 1000 px: bin 3 → int(2.93)=2 vs round(2.93)=3; bin 1000 → int(977.52)=977 vs round(976.56)=977
        assertThat(BoxConvention.BIG_VISION.toPixels(3, 3, 1000, 1000, 1000, 1000)).isEqualTo(new PixelBox(2, 2, 977, 977));
        assertThat(BoxConvention.DEMO.toPixels(3, 3, 1000, 1000, 1000, 1000)).isEqualTo(new PixelBox(3, 3, 977, 977));
    }

    @Test
    void unparsableDetectAnswerStaysTextWithAWarning() {
        ParsedAnswer a = ParsedAnswer.parse("detect cat", "a cat <loc0100><loc0200>", 100, 100, BoxConvention.BIG_VISION);
        assertThat(a.text()).isEqualTo("a cat <loc0100><loc0200>");
        assertThat(a.objects()).isEmpty();
        assertThat(a.warnings()).singleElement().asString().contains("no complete <loc> box");
    }

    @Test
    void captionWithoutLocTokensHasNoWarning() {
        ParsedAnswer a = ParsedAnswer.parse("caption en", "a cat on a mat", 100, 100, BoxConvention.BIG_VISION);
        assertThat(a.objects()).isEmpty();
        assertThat(a.warnings()).isEmpty();
    }

    @Test
    void emptyBoxIsKeptAndWarned() {
        ParsedAnswer a = ParsedAnswer.parse("detect cat", "<loc0500><loc0200><loc0400><loc0600> cat", 100, 100,
                BoxConvention.BIG_VISION);
        assertThat(a.objects()).hasSize(1);
        assertThat(a.objects().get(0).drawable()).isFalse();
        assertThat(a.warnings()).singleElement().asString().contains("empty box");
    }

    @Test
    void segmentAnswerCarriesItsCodes() {
        String seg = "<seg005>".repeat(16);
        ParsedAnswer a = ParsedAnswer.parse("segment cat", "<loc0100><loc0200><loc0500><loc0600>" + seg + " cat",
                100, 100, BoxConvention.BIG_VISION);
        assertThat(a.warnings()).isEmpty();
        assertThat(a.objects().get(0).seg()).hasSize(16).containsOnly(5);
        ParsedAnswer boxOnly = ParsedAnswer.parse("segment cat", "<loc0100><loc0200><loc0500><loc0600> cat",
                100, 100, BoxConvention.BIG_VISION);
        assertThat(boxOnly.warnings()).singleElement().asString().contains("no mask");
    }

    @Test
    void taskComesFromThePromptsFirstWord() {
        assertThat(Task.of("Detect cat ; dog")).isEqualTo(Task.DETECT);
        assertThat(Task.of("segment cat")).isEqualTo(Task.SEGMENT);
        assertThat(Task.of("caption en")).isEqualTo(Task.CAPTION);
        assertThat(Task.of("what is this?")).isEqualTo(Task.OTHER);
    }
}
