package paligemma4j.eval.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.Benchmark;
import paligemma4j.model.KVCache;
import paligemma4j.model.image.Resize;

/** The prompt cap, the protocol defaults, the published table and the progress line. */
class RunPartsTest {

    @Test
    void textLenKeepsTheFirstTokensAndDropsTheTailWithTheNewline() {
        int[] prompt = {2, 10, 11, 12, 19};                                  // [bos] a b c "\n"
        assertThat(TextLen.cap(prompt, 48)).isSameAs(prompt);
        assertThat(TextLen.cap(prompt, 5)).containsExactly(2, 10, 11, 12, 19);
        assertThat(TextLen.cap(prompt, 3)).containsExactly(2, 10, 11);
    }

    @Test
    void defaultsAreTheReleasedConfigs() {
        assertThat(Protocol.defaults(Benchmark.POPE))
                .isEqualTo(new Protocol("{question}", 48, 1, 48, Resize.BILINEAR, KVCache.Precision.BF16));
        assertThat(Protocol.defaults(Benchmark.COCOCAP))
                .isEqualTo(new Protocol("caption en", 32, 2, 32, Resize.BILINEAR, KVCache.Precision.BF16));
        assertThat(Protocol.defaults(Benchmark.REFCOCO))
                .isEqualTo(new Protocol("{sent}", 48, 1, 48, Resize.BILINEAR, KVCache.Precision.BF16));
        assertThat(Protocol.defaults(Benchmark.MMVP).decoding()).isEqualTo("greedy");
    }

    @Test
    void publishedTableMatchesSpecSection6() {
        assertThat(PublishedNumbers.rows(Benchmark.POPE, "adversarial", null).stream()
                .map(r -> r.name() + "=" + r.value()).toList())
                .containsExactly("ft-vqav2-224=84.27", "ft-vqav2-448=85.9", "mix-224=85.67", "mix-448=87.47");
        assertThat(PublishedNumbers.rows(Benchmark.MMVP, null, null).stream().map(PublishedNumbers.Row::value).toList())
                .containsExactly(47.33, 45.33, 46.0, 45.33);
        assertThat(PublishedNumbers.rows(Benchmark.COCOCAP, "test", null)).isEmpty();
        assertThat(PublishedNumbers.rows(Benchmark.REFCOCO, "val", "refcocog").stream()
                .filter(r -> r.source().model().equals(PublishedNumbers.PALIGEMMA)).map(r -> r.checkpoint() + "=" + r.value()).toList())
                .containsExactly("google/paligemma-3b-ft-refcoco-seg-224=67.65", "google/paligemma-3b-ft-refcoco-seg-448=70.17",
                        "google/paligemma-3b-ft-refcoco-seg-896=72.22");
        assertThat(PublishedNumbers.rows(Benchmark.REFCOCO, "testA", "refcoco").stream()
                .filter(r -> r.source().model().equals(PublishedNumbers.PALIGEMMA))).isEmpty();
    }

    @Test
    void paligemma2RowsAreTable13OfItsReport() {
        assertThat(PublishedNumbers.rows(Benchmark.COCOCAP, "val", null).stream()
                .filter(r -> r.source().model().equals(PublishedNumbers.PALIGEMMA_2)).map(r -> r.name() + "=" + r.value()).toList())
                .containsExactly("pg2-3b-224=141.3", "pg2-10b-224=143.7", "pg2-28b-224=144.0",
                        "pg2-3b-448=143.4", "pg2-10b-448=145.0", "pg2-28b-448=145.2");
        List<PublishedNumbers.Row> testB = PublishedNumbers.rows(Benchmark.REFCOCO, "testB", "refcoco+");
        assertThat(testB).extracting(PublishedNumbers.Row::value).containsExactly(64.2, 68.4, 67.1, 67.0, 71.1, 68.6);
        assertThat(testB.getFirst().checkpoint()).isEqualTo("google/paligemma2-3b-pt-224 fine-tuned");
        assertThat(testB.getFirst().source().url()).isEqualTo("https://arxiv.org/abs/2412.03555v1");
        assertThat(testB.getFirst().source().table()).startsWith("Table 13");
        assertThat(PublishedNumbers.rows(Benchmark.REFCOCO, "test", "refcocog").stream().map(r -> r.name() + "=" + r.value()))
                .containsExactly("pg2-3b-224=69.0", "pg2-10b-224=71.9", "pg2-28b-224=70.7",
                        "pg2-3b-448=72.7", "pg2-10b-448=74.8", "pg2-28b-448=73.7");
        // the report has no POPE or MMVP number, and no 896 px row
        assertThat(PublishedNumbers.notPublished(Benchmark.POPE, "random", null, 224))
                .extracting(PublishedNumbers.Source::model).containsExactly(PublishedNumbers.PALIGEMMA_2);
        assertThat(PublishedNumbers.notPublished(Benchmark.MMVP, null, null, 448))
                .extracting(PublishedNumbers.Source::model).containsExactly(PublishedNumbers.PALIGEMMA_2);
        assertThat(PublishedNumbers.notPublished(Benchmark.REFCOCO, "val", "refcoco", 896))
                .extracting(PublishedNumbers.Source::model).containsExactly(PublishedNumbers.PALIGEMMA_2);
        assertThat(PublishedNumbers.notPublished(Benchmark.REFCOCO, "testA", "refcoco", 224))
                .extracting(PublishedNumbers.Source::model).containsExactly(PublishedNumbers.PALIGEMMA);
        assertThat(PublishedNumbers.notPublished(Benchmark.COCOCAP, "val", null, 448)).isEmpty();
    }

    @Test
    void progressLineShowsRateAndEta() {
        long[] now = {0};
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Progress p = new Progress(err, "pope random", 3000, 1000, false, () -> now[0]);
        now[0] = 20_000_000_000L;                                            // 20 s for 10 examples
        assertThat(p.line(1010, now[0])).startsWith("pope random [==========>").contains("1010/3000")
                .contains(" 33.7%").contains("2.00 s/ex").contains("elapsed 0:00:20").endsWith("ETA 1:06:20");
        // plain lines: one per further 10 % (or per minute), and the last
        for (int done = 1001; done <= 3000; done++) {
            now[0] += 100_000_000L;                                          // 0.1 s each
            p.update(done);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(7);                                         // 40 %, 50 %, …, 100 % (30 s apart: no minute marks)
        assertThat(lines.getLast()).contains("3000/3000 100.0%").endsWith("ETA 0:00:00");
    }

    @Test
    void interactiveProgressRedrawsOneLine() {
        long[] now = {0};
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), "x", 2, 0, true, () -> now[0]);
        now[0] = 1_000_000_000L;
        p.update(1);
        p.update(2);
        String s = buf.toString(StandardCharsets.UTF_8);
        // the first bar is a plain line; the next one moves up over it and clears it
        assertThat(s).startsWith("x [===============>").contains("1/2  50.0%")
                .contains("\n\u001b[1A\u001b[2Kx [==============================] 2/2 100.0%").endsWith("ETA 0:00:00\n");
    }
}
