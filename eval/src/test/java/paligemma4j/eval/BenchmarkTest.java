package paligemma4j.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the runner gets from {@link Benchmark#examples}: ids, prompts and image paths in protocol order. */
class BenchmarkTest {
    @Test
    void examplesOfEachBenchmark() {
        List<EvalExample> pope = Benchmark.POPE.examples(Fixtures.path("pope"), ScoreOptions.DEFAULTS.withSplit("adversarial"), null);
        assertThat(pope).hasSize(12);
        assertThat(pope.getFirst().id()).isEqualTo(1);
        assertThat(pope.getFirst().prompt()).isEqualTo("Is there a dog in the image?");
        assertThat(Files.exists(pope.getFirst().image())).isTrue();
        assertThat(Benchmark.POPE.examples(Fixtures.path("pope"), ScoreOptions.DEFAULTS, "answer en {question}")
                .getFirst().prompt()).isEqualTo("answer en Is there a dog in the image?");

        List<EvalExample> mmvp = Benchmark.MMVP.examples(Fixtures.path("mmvp"), ScoreOptions.DEFAULTS, null);
        assertThat(mmvp.get(2).prompt())
                .isEqualTo("Is the dog facing left or right, from the camera's perspective? (a) Left (b) Right");

        List<EvalExample> coco = Benchmark.COCOCAP.examples(Fixtures.path("coco"), ScoreOptions.DEFAULTS, null);
        assertThat(coco).extracting(EvalExample::id).containsExactly(391895L, 184613L, 554625L);
        assertThat(coco).allMatch(e -> e.prompt().equals("caption en") && Files.exists(e.image()));

        List<EvalExample> ref = Benchmark.REFCOCO.examples(Fixtures.path("refcoco"),
                new ScoreOptions("val", "refcocog", null, null, null), null);
        assertThat(ref).extracting(EvalExample::prompt)
                .containsExactly("the two boxes that aren't touching", "a square in the middle of the image");
        assertThat(ref).allMatch(e -> Files.exists(e.image()));
    }
}
