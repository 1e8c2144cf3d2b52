package paligemma4j.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * An opened checkpoint file: every tensor as a read-only {@link Tensor} view, keys without the
 * {@code params/} prefix, in file order. Formats: NumPy {@code .npz} (ZIP / ZIP64, STORED members
 * memory-mapped, DEFLATED members inflated) and Flax msgpack. Closing releases the mapping; the
 * views must not be used afterwards.
 */
public interface Checkpoint extends AutoCloseable {

    /** Opens a checkpoint, choosing the reader by the file's first bytes (ZIP magic → npz, else msgpack). */
    static Checkpoint open(Path file) {
        return CheckpointFiles.open(file);
    }

    Path file();

    /** {@code "npz"} or {@code "msgpack"}. */
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

    @Override
    void close();
}
