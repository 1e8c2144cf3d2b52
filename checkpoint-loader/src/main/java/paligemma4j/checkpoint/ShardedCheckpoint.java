package paligemma4j.checkpoint;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model directory as one {@link Checkpoint}: the tensors of its safetensors files (one, or the
 * shards of an index) under their stored names, each file mapped on its own. {@link #file()} is the directory.
 */
final class ShardedCheckpoint implements Checkpoint {
    private final Path dir;
    private final List<Checkpoint> shards;
    private final Map<String, Tensor> tensors;

    ShardedCheckpoint(Path dir, List<Checkpoint> shards) {
        this.dir = dir;
        this.shards = List.copyOf(shards);
        LinkedHashMap<String, Tensor> all = new LinkedHashMap<>();
        for (Checkpoint c : shards) {
            for (var e : c.tensors().entrySet()) {
                if (all.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    shards.forEach(Checkpoint::close);
                    throw new CheckpointException(c.file() + ": tensor '" + e.getKey() + "' is named twice (also in another shard)");
                }
            }
        }
        this.tensors = Collections.unmodifiableMap(all);
    }

    @Override
    public Path file() {
        return dir;
    }

    @Override
    public String format() {
        return "safetensors";
    }

    @Override
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Each shard drops the pages it maps (the others ignore a part outside their mapping). */
    @Override
    public void release(MemorySegment part) {
        for (Checkpoint c : shards) c.release(part);
    }

    @Override
    public void close() {
        for (Checkpoint c : shards) c.close();
    }

    @Override
    public String toString() {
        return "safetensors checkpoint " + dir + " (" + shards.size() + " files, " + tensors.size() + " tensors)";
    }
}
