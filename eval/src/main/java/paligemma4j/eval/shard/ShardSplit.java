package paligemma4j.eval.shard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.eval.EvalExample;

/**
 * The deterministic split of a run's examples into N shards. Examples are grouped by image (all
 * examples of one image, groups in order of first appearance), so each image is encoded in one shard
 * only; the sequence of groups is cut into N contiguous runs of about total/N examples each: a group
 * goes to shard {@code floor(start * N / total)}, where {@code start} counts the examples of the groups
 * before it. Within a shard the examples keep the split's order. A shard may be empty (fewer images
 * than shards); concatenating the shards in order gives the split again when each image's examples
 * are consecutive, as in all four benchmarks.
 */
public final class ShardSplit {
    private ShardSplit() {}

    /** The examples of shards 0..count-1. */
    public static List<List<EvalExample>> split(List<EvalExample> examples, int count) {
        Map<Path, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            groups.computeIfAbsent(examples.get(i).image(), k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> indices = new ArrayList<>();
        for (int k = 0; k < count; k++) indices.add(new ArrayList<>());
        long start = 0, total = examples.size();
        for (List<Integer> g : groups.values()) {
            indices.get((int) (start * count / total)).addAll(g);
            start += g.size();
        }
        List<List<EvalExample>> shards = new ArrayList<>();
        for (List<Integer> idx : indices) {
            idx.sort(Comparator.naturalOrder());
            shards.add(idx.stream().map(examples::get).toList());
        }
        return shards;
    }

    /** The examples of one shard. */
    public static List<EvalExample> select(List<EvalExample> examples, Shard shard) {
        return split(examples, shard.count()).get(shard.index());
    }
}
