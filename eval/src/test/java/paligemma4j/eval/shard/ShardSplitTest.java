package paligemma4j.eval.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import paligemma4j.eval.EvalException;
import paligemma4j.eval.EvalExample;

/** The shard split: each image in one shard, contiguous balanced runs, deterministic, nothing lost or doubled. */
class ShardSplitTest {
    /** Examples with ids 0.. on the images named by {@code images} (one letter per example). */
    private static List<EvalExample> examples(String images) {
        List<EvalExample> out = new ArrayList<>();
        for (int i = 0; i < images.length(); i++) out.add(new EvalExample(i, "q" + i, Path.of(images.charAt(i) + ".jpg")));
        return out;
    }

    private static List<List<Long>> ids(List<List<EvalExample>> shards) {
        return shards.stream().map(s -> s.stream().map(EvalExample::id).toList()).toList();
    }

    @Test
    void groupsEachImageAndCutsContiguousRunsOfAboutTotalOverN() {
        List<EvalExample> ex = examples("aaabbbcccddd");
        assertThat(ids(ShardSplit.split(ex, 2))).containsExactly(List.of(0L, 1L, 2L, 3L, 4L, 5L), List.of(6L, 7L, 8L, 9L, 10L, 11L));
        assertThat(ids(ShardSplit.split(ex, 3))).containsExactly(List.of(0L, 1L, 2L, 3L, 4L, 5L), List.of(6L, 7L, 8L),
                List.of(9L, 10L, 11L));
        assertThat(ids(ShardSplit.split(ex, 4))).containsExactly(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L, 7L, 8L),
                List.of(9L, 10L, 11L));
        assertThat(ids(ShardSplit.split(ex, 1))).containsExactly(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L));
    }

    @Test
    void moreShardsThanImagesLeavesSomeEmpty() {
        // the POPE fixture: 12 questions on 2 images
        assertThat(ids(ShardSplit.split(examples("aaaaaabbbbbb"), 3)))
                .containsExactly(List.of(0L, 1L, 2L, 3L, 4L, 5L), List.of(6L, 7L, 8L, 9L, 10L, 11L), List.of());
        assertThat(ids(ShardSplit.split(examples(""), 2))).containsExactly(List.of(), List.of());
    }

    @Test
    void anImageSeenAgainLaterStaysInTheShardOfItsFirstExample() {
        List<List<Long>> s = ids(ShardSplit.split(examples("aabbccaa"), 2));
        assertThat(s).containsExactly(List.of(0L, 1L, 6L, 7L), List.of(2L, 3L, 4L, 5L));
        assertThat(ShardSplit.select(examples("aabbccaa"), new Shard(0, 2)).stream().map(EvalExample::id)).containsExactly(0L, 1L, 6L, 7L);
    }

    @Test
    void everyExampleInExactlyOneShardForAnyN() {
        List<EvalExample> ex = examples("abbcccddddeeeeeffffffg");
        for (int n = 1; n <= 25; n++) {
            List<Long> all = ids(ShardSplit.split(ex, n)).stream().flatMap(List::stream).sorted().toList();
            assertThat(all).as("N=%d", n).isEqualTo(ex.stream().map(EvalExample::id).toList());
            assertThat(ids(ShardSplit.split(ex, n))).as("deterministic").isEqualTo(ids(ShardSplit.split(ex, n)));
        }
    }

    @Test
    void shardParsesKOfNAndRefusesOtherText() {
        assertThat(Shard.parse("2/3")).isEqualTo(new Shard(2, 3));
        assertThat(Shard.parse("0/1").label()).isEqualTo("0/1");
        assertThat(new Shard(4, 5).dirName()).isEqualTo("shard-4");
        for (String bad : new String[] {"3/3", "-1/2", "1", "a/b", "1/0", "1/2/3"}) {
            assertThatThrownBy(() -> Shard.parse(bad)).as(bad).isInstanceOf(EvalException.class).hasMessageContaining("--shard");
        }
    }
}
