package paligemma4j.checkpoint.paligemma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shards are cut as transformers' save_pretrained cuts them, and named and indexed as it names them. */
class ShardsTest {

    @Test
    void aNewFileWhenTheNextTensorWouldPassTheLimit() {
        assertThat(Shards.plan(new long[] {4, 4, 4, 3, 1}, 8)).containsExactly(0, 0, 1, 1, 1);
    }

    @Test
    void aTensorOverTheLimitIsAloneInItsFile() {
        assertThat(Shards.plan(new long[] {4, 10, 1, 2}, 8)).containsExactly(0, 1, 2, 2);
        assertThat(Shards.plan(new long[] {10, 1}, 8)).containsExactly(0, 1);
    }

    @Test
    void everythingUnderTheLimitIsOneFile() {
        int[] plan = Shards.plan(new long[] {4, 4, 4}, 5_000_000_000L);
        assertThat(plan).containsExactly(0, 0, 0);
        assertThat(Shards.count(plan)).isEqualTo(1);
        assertThat(Shards.fileName(0, 1)).isEqualTo("model.safetensors");
    }

    @Test
    void filesAreNumberedFromOneWithFiveDigits() {
        assertThat(Shards.fileName(0, 3)).isEqualTo("model-00001-of-00003.safetensors");
        assertThat(Shards.fileName(2, 3)).isEqualTo("model-00003-of-00003.safetensors");
        assertThat(Shards.groups(new int[] {0, 0, 1, 2, 2})).containsExactly(List.of(0, 1), List.of(2), List.of(3, 4));
    }

    @Test
    void indexListsTheTotalAndEveryTensorsFileSorted() {
        assertThat(Shards.index(12, Map.of("b", "model-00002-of-00002.safetensors", "a", "model-00001-of-00002.safetensors")))
                .isEqualToIgnoringWhitespace("{\"metadata\":{\"total_size\":12},\"weight_map\":{"
                        + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
    }
}
