package paligemma4j.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferInput;
import org.msgpack.value.ValueType;

/**
 * Reads a Flax msgpack checkpoint ({@code flax.serialization.to_bytes} of a nested dict) with
 * msgpack-java. An ndarray is msgpack ext type 1 (3: numpy scalar) whose payload is itself msgpack:
 * {@code [shape, dtype name, C-order bytes]}. Arrays over 1 GiB are written by Flax as a dict
 * {@code {"__msgpack_chunked_array__": true, "shape": {"0": d0, …}, "chunks": {"0": ext, …}}} of
 * flat pieces. Plain arrays become slices of the file mapping (zero copy): the unpacker reads only
 * the headers and is then restarted after each array's bytes. Chunked arrays are concatenated
 * into an off-heap copy. Keys are the dict path joined by {@code /}, without a leading {@code params/}.
 */
final class MsgpackReader {
    static {
        // Byte-buffer based msgpack buffers: no sun.misc.Unsafe memory access (deprecated in JDK 25).
        if (System.getProperty("msgpack.universal-buffer") == null) System.setProperty("msgpack.universal-buffer", "true");
    }

    static final String CHUNKED = "__msgpack_chunked_array__";
    private static final int EXT_NDARRAY = 1;
    private static final int EXT_NPSCALAR = 3;
    private static final int WINDOW = 1 << 16;
    private static final int MAX_RANK = 64;
    /** Deepest dict nesting accepted (Flax trees are a few levels deep): bounds the parser's recursion. */
    private static final int MAX_DEPTH = 64;
    private int depth;

    /** A parsed tree node: a dict, an array located in the file, or a plain scalar. */
    private sealed interface Node {}

    private record Dict(LinkedHashMap<String, Node> entries) implements Node {}

    private record Array(DType dtype, long[] shape, long offset, long length) implements Node {}

    private record Scalar(Object value, ValueType type) implements Node {}

    private final String file;
    private final MemorySegment data;
    private final MessageUnpacker unpacker;
    private long base;
    private String current = "";

    private MsgpackReader(Path path, MemorySegment data) {
        this.file = path.toString();
        this.data = data;
        this.unpacker = MessagePack.newDefaultUnpacker(new Window(data, 0));
    }

    static Checkpoint read(Path path, MemorySegment data, Arena arena) {
        MsgpackReader r = new MsgpackReader(path, data);
        Node root = r.parseRoot();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        r.flatten("", root, tensors, arena);
        return new MappedCheckpoint(path, "msgpack", tensors, arena);
    }

    private Node parseRoot() {
        try {
            Node root = value("");
            long end = position();
            if (end != data.byteSize()) {
                throw error("top-level map ends at byte " + end + " but the file has " + data.byteSize()
                        + " bytes: trailing data");
            }
            return root;
        } catch (MessageInsufficientBufferException e) {
            throw error("data ends inside key '" + CheckpointFiles.stripParams(current) + "' (file size " + data.byteSize() + "): truncated file");
        } catch (MessagePackException | IOException e) {
            throw error("invalid msgpack at byte " + position() + " inside key '" + CheckpointFiles.stripParams(current) + "': " + e.getMessage());
        }
    }

    private Node value(String key) throws IOException {
        current = key;
        ValueType type = unpacker.getNextFormat().getValueType();
        switch (type) {
            case MAP -> {
                if (++depth > MAX_DEPTH) throw error("key '" + key + "': dicts nested deeper than " + MAX_DEPTH + " levels");
                int n = unpacker.unpackMapHeader();
                LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String k = mapKey(key);
                    String child = key.isEmpty() ? k : key + "/" + k;
                    if (entries.put(k, value(child)) != null) throw error("key '" + child + "' appears twice");
                }
                depth--;
                return new Dict(entries);
            }
            case EXTENSION -> {
                return array(key);
            }
            case NIL -> {
                unpacker.unpackNil();
                return new Scalar(null, type);
            }
            case BOOLEAN -> {
                return new Scalar(unpacker.unpackBoolean(), type);
            }
            case INTEGER -> {
                return new Scalar(unpacker.unpackLong(), type);
            }
            case FLOAT -> {
                return new Scalar(unpacker.unpackDouble(), type);
            }
            case STRING -> {
                return new Scalar(string(), type);
            }
            default -> throw error("key '" + key + "': expected a dict or an ndarray (msgpack ext type 1), found a msgpack "
                    + type.name().toLowerCase());
        }
    }

    private String mapKey(String parent) throws IOException {
        ValueType t = unpacker.getNextFormat().getValueType();
        if (t == ValueType.STRING) return string();
        if (t == ValueType.INTEGER) return Long.toString(unpacker.unpackLong());
        throw error("dict '" + parent + "': expected string keys, found a msgpack " + t.name().toLowerCase());
    }

    /** An ndarray ext: reads the small inner header, then restarts the unpacker after the data bytes. */
    private Node array(String path) throws IOException {
        String key = CheckpointFiles.stripParams(path);
        ExtensionTypeHeader ext = unpacker.unpackExtensionTypeHeader();
        if (ext.getType() != EXT_NDARRAY && ext.getType() != EXT_NPSCALAR) {
            throw error("key '" + key + "': msgpack ext type " + ext.getType()
                    + " is not an ndarray (expected type 1, or 3 for a numpy scalar)");
        }
        long payloadStart = position();
        long payloadEnd = payloadStart + (ext.getLength() & 0xFFFFFFFFL);
        if (payloadEnd > data.byteSize()) {
            throw error("key '" + key + "': ndarray of " + (ext.getLength() & 0xFFFFFFFFL) + " bytes at byte " + payloadStart
                    + " runs past the end of the file (size " + data.byteSize() + "): truncated file");
        }
        if (unpacker.unpackArrayHeader() != 3) {
            throw error("key '" + key + "': ndarray payload is not [shape, dtype, bytes]");
        }
        int rank = unpacker.unpackArrayHeader();
        if (rank > MAX_RANK) throw error("key '" + key + "': ndarray of rank " + rank + " (at most " + MAX_RANK + " supported)");
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = unpacker.unpackLong();
            if (shape[i] < 0) throw error("key '" + key + "': negative dimension " + shape[i]);
        }
        String dtypeName = unpacker.getNextFormat().getValueType() == ValueType.BINARY
                ? new String(unpacker.readPayload(bounded(unpacker.unpackBinaryHeader(), payloadEnd, key)), java.nio.charset.StandardCharsets.UTF_8)
                : new String(unpacker.readPayload(bounded(unpacker.unpackRawStringHeader(), payloadEnd, key)), java.nio.charset.StandardCharsets.UTF_8);
        DType dtype = dtypeOf(dtypeName, key);
        int length = unpacker.unpackBinaryHeader();
        long offset = position();
        long expected = CheckpointFiles.byteSize(dtype, shape, file + ": key '" + key + "'");
        if (offset + (length & 0xFFFFFFFFL) != payloadEnd || (length & 0xFFFFFFFFL) != expected) {
            throw error("key '" + key + "': expected " + expected + " bytes of data for "
                    + CheckpointFiles.describe(dtype, shape) + ", found " + (length & 0xFFFFFFFFL)
                    + " (ndarray payload " + (payloadEnd - payloadStart) + " bytes)");
        }
        // jump over the data: restart the unpacker right after it
        unpacker.reset(new Window(data, payloadEnd));
        base = payloadEnd;
        return new Array(dtype, shape, offset, expected);
    }

    /** A msgpack string whose length is checked against the bytes left in the file before it is read. */
    private String string() throws IOException {
        long len = unpacker.unpackRawStringHeader() & 0xFFFFFFFFL;
        if (len > data.byteSize() - position() || len > Integer.MAX_VALUE - 8) {
            throw error("a string of " + len + " bytes at byte " + position() + " runs past the end of the file (size "
                    + data.byteSize() + "): truncated file");
        }
        return new String(unpacker.readPayload((int) len), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A dtype name's length, checked against the ndarray payload before anything is allocated for it. */
    private int bounded(int length, long payloadEnd, String key) {
        if (length < 0 || length > 64 || position() + length > payloadEnd) {
            throw error("key '" + key + "': dtype name of " + (length & 0xFFFFFFFFL) + " bytes does not fit the ndarray payload");
        }
        return length;
    }

    /** Flax's dtype names ({@code arr.dtype.name}). */
    private DType dtypeOf(String name, String key) {
        return switch (name) {
            case "float32" -> DType.FLOAT32;
            case "float16" -> DType.FLOAT16;
            case "bfloat16" -> DType.BFLOAT16;
            case "int32" -> DType.INT32;
            case "uint8" -> DType.UINT8;
            case "bool" -> DType.BOOL;
            default -> throw error("key '" + key + "': unsupported dtype '" + name
                    + "': expected one of float32, float16, bfloat16, int32, uint8, bool");
        };
    }

    private void flatten(String prefix, Node node, Map<String, Tensor> out, Arena arena) {
        String key = CheckpointFiles.stripParams(prefix);
        switch (node) {
            case Dict d when d.entries().containsKey(CHUNKED) -> put(out, unchunk(key, d, arena));
            case Dict d -> {
                for (var e : d.entries().entrySet()) {
                    flatten(prefix.isEmpty() ? e.getKey() : prefix + "/" + e.getKey(), e.getValue(), out, arena);
                }
            }
            case Array a -> put(out, new Tensor(key, a.dtype(), a.shape(), data.asSlice(a.offset(), a.length())));
            case Scalar s -> throw error("key '" + key + "': expected an ndarray, found a " + s.type().name().toLowerCase()
                    + " (" + s.value() + ")");
        }
    }

    private void put(Map<String, Tensor> out, Tensor t) {
        if (out.put(t.key(), t) != null) {
            throw error("key '" + t.key() + "' appears twice (with and without the params/ prefix)");
        }
    }

    /** Flax's chunked form: the flat chunks in order "0", "1", … concatenated and reshaped to "shape". */
    private Tensor unchunk(String key, Dict d, Arena arena) {
        if (!(d.entries().get("shape") instanceof Dict shapeDict) || !(d.entries().get("chunks") instanceof Dict chunks)) {
            throw error("key '" + key + "': chunked array without 'shape' and 'chunks' dicts");
        }
        long[] shape = new long[shapeDict.entries().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeDict.entries().get(Integer.toString(i)) instanceof Scalar s) || !(s.value() instanceof Long v)) {
                throw error("key '" + key + "': chunked array shape entry '" + i + "' missing or not an integer");
            }
            shape[i] = v;
        }
        List<Array> parts = new ArrayList<>();
        for (int i = 0; i < chunks.entries().size(); i++) {
            if (!(chunks.entries().get(Integer.toString(i)) instanceof Array a)) {
                throw error("key '" + key + "': chunk '" + i + "' missing or not an ndarray");
            }
            parts.add(a);
        }
        DType dtype = parts.isEmpty() ? DType.FLOAT32 : parts.getFirst().dtype();
        long total = 0;
        for (Array a : parts) {
            if (a.dtype() != dtype) {
                throw error("key '" + key + "': chunks mix dtypes " + dtype.jsonName + " and " + a.dtype().jsonName);
            }
            total += a.length();
        }
        long expected = CheckpointFiles.byteSize(dtype, shape, file + ": key '" + key + "'");
        if (total != expected) {
            throw error("key '" + key + "': chunks hold " + total + " bytes, expected " + expected + " for "
                    + CheckpointFiles.describe(dtype, shape));
        }
        MemorySegment joined = arena.allocate(Math.max(expected, 1), 64).asSlice(0, expected);
        long at = 0;
        for (Array a : parts) {
            MemorySegment.copy(data, a.offset(), joined, at, a.length());
            at += a.length();
        }
        return new Tensor(key, dtype, shape, joined);
    }

    private long position() {
        return base + unpacker.getTotalReadBytes();
    }

    private CheckpointException error(String message) {
        return new CheckpointException(file + ": " + message);
    }

    /**
     * Feeds the unpacker heap copies of the mapping from a start offset onwards: 512 bytes first
     * (an array header is about 100), doubling up to 64 KiB, so jumping over array data stays cheap.
     */
    private static final class Window implements MessageBufferInput {
        private final MemorySegment data;
        private long pos;
        private int size = 512;

        Window(MemorySegment data, long start) {
            this.data = data;
            this.pos = start;
        }

        @Override
        public MessageBuffer next() {
            if (pos >= data.byteSize()) return null;
            int n = (int) Math.min(size, data.byteSize() - pos);
            size = Math.min(WINDOW, size * 2);
            byte[] b = data.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return MessageBuffer.wrap(b);
        }

        @Override
        public void close() {}
    }
}
