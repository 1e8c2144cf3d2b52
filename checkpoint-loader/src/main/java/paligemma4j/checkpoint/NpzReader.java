package paligemma4j.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * Reads a NumPy {@code .npz}: a ZIP (or ZIP64) archive with one {@code <key>.npy} member per
 * tensor. STORED members become slices of the file mapping (zero copy); DEFLATED members are
 * inflated into the checkpoint's arena. Keys lose the {@code .npy} suffix and a leading
 * {@code params/}.
 */
final class NpzReader {
    private NpzReader() {}

    static Checkpoint read(Path path, MemorySegment file, Arena arena) {
        String name = path.toString();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (ZipDirectory.Entry e : ZipDirectory.read(name, file)) {
            if (!e.name().endsWith(".npy")) {
                throw new CheckpointException(name + ": member '" + e.name()
                        + "' is not a .npy array: expected every member to be named <key>.npy");
            }
            String key = CheckpointFiles.stripParams(e.name().substring(0, e.name().length() - 4));
            String where = name + ": key '" + key + "'";
            MemorySegment member = file.asSlice(e.dataOffset(), e.compressedSize());
            if (e.method() == ZipDirectory.DEFLATED) {
                member = Inflation.inflate(member, e.uncompressedSize(), e.crc32(), arena, where);
            } else if (e.compressedSize() != e.uncompressedSize()) {
                throw new CheckpointException(where + ": STORED member has " + e.compressedSize()
                        + " bytes but records " + e.uncompressedSize() + " uncompressed: damaged central directory");
            }
            NpyHeader h = NpyHeader.parse(member, where);
            long expected = CheckpointFiles.byteSize(h.dtype(), h.shape(), where);
            long actual = member.byteSize() - h.dataOffset();
            if (actual != expected) {
                throw new CheckpointException(where + ": expected " + expected + " bytes of data for "
                        + CheckpointFiles.describe(h.dtype(), h.shape()) + ", found " + actual
                        + (actual < expected ? ": truncated member" : ": trailing bytes"));
            }
            if (tensors.containsKey(key)) {
                throw new CheckpointException(where + ": key appears twice (member '" + e.name() + "')");
            }
            tensors.put(key, new Tensor(key, h.dtype(), h.shape(), member.asSlice(h.dataOffset(), expected)));
        }
        return new MappedCheckpoint(path, "npz", tensors, arena);
    }
}
