package paligemma4j.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * An opened checkpoint file: every tensor as a read-only {@link Tensor} view, keys without the
 * {@code params/} prefix, in file order. Formats: NumPy {@code .npz} (ZIP / ZIP64, STORED members
 * memory-mapped, DEFLATED members inflated), Flax msgpack and Hugging Face safetensors (keys as stored). Closing releases the mapping; the
 * views must not be used afterwards.
 */
public interface Checkpoint extends AutoCloseable {

    /**
     * Opens a checkpoint: a Hugging Face model directory or {@code .safetensors} file, else by the first bytes and
     * their structure (ZIP → npz, msgpack map → Flax).
     */
    static Checkpoint open(Path file) {
        if (SafetensorsReader.accepts(file)) return SafetensorsReader.open(file);
        return CheckpointFiles.open(file);
    }

    Path file();

    /** {@code "npz"}, {@code "msgpack"} or {@code "safetensors"}; for a model directory, {@link #file()} is the directory. */
    String format();

    /** All tensors, keys without {@code params/}, in file order. */
    Map<String, Tensor> tensors();

    /** The tensor under {@code key}; a {@link CheckpointException} naming file and key if absent. */
    default Tensor get(String key) {
        Tensor t = tensors().get(key);
        if (t == null) {
            throw new CheckpointException(file() + ": no tensor '" + key + "'");
        }
        return t;
    }

    /**
     * Tells the checkpoint that the bytes of {@code part} (a tensor's data, or a slice of it) will not be read
     * through it again, because the caller keeps its own copy: a memory-mapped checkpoint then drops those
     * pages from this process (they no longer count in its resident memory) and leaves them out of the
     * memory lock ({@code -Dpaligemma4j.lockWeights=true}). Reading them anyway still works (the pages
     * fault back in). Nothing happens for data the checkpoint does not map.
     */
    default void release(java.lang.foreign.MemorySegment part) {
    }

    @Override
    void close();
}
