package paligemma4j.checkpoint;

import java.nio.file.Path;

/** Chooses the reader for a checkpoint file. (Skeleton: the readers land with the loader.) */
final class CheckpointFiles {
    private CheckpointFiles() {}

    static Checkpoint open(Path file) {
        throw new CheckpointException(file + ": checkpoint reading not implemented yet");
    }
}
