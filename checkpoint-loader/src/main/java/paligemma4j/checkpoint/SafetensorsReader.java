package paligemma4j.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Hugging Face safetensors: one {@code .safetensors} file, or a model directory holding
 * {@code model.safetensors} or the shards named by {@code model.safetensors.index.json}. A file is an 8-byte
 * little-endian header length, a JSON header ({@code name → {dtype, shape, data_offsets}}, optional
 * {@code __metadata__}) and the data section; tensors are slices of the file's mapping (zero copy). The header
 * is checked as strictly as the {@code safetensors} library does (docs/model.md#safetensors-files); keys are
 * kept as stored. The one safetensors parser: format detection ({@link #looksLike}) and fuzzing use it too.
 */
final class SafetensorsReader {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    /** The safetensors library's limit on the header length. */
    static final long MAX_HEADER = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SafetensorsReader() {}

    /** The file starts with a plausible header length followed by '{' (what tells safetensors from other formats). */
    static boolean looksLike(MemorySegment data) {
        long n = data.byteSize();
        if (n < 10) return false;
        long len = data.get(U64, 0);
        return len >= 2 && len <= n - 8 && data.get(ValueLayout.JAVA_BYTE, 8) == '{';
    }

    /** True for what this reader opens: a directory or a file named {@code *.safetensors}. */
    static boolean accepts(Path path) {
        return Files.isDirectory(path) || path.getFileName() != null && path.getFileName().toString().endsWith(".safetensors");
    }

    /** Opens a {@code .safetensors} file or a model directory. */
    static Checkpoint open(Path path) {
        if (!Files.isDirectory(path)) return openFile(path);
        Path index = path.resolve(INDEX), single = path.resolve(SINGLE);
        if (Files.isRegularFile(index)) return openSharded(path, index);
        if (Files.isRegularFile(single)) return new ShardedCheckpoint(path, List.of(openFile(single)));
        throw new CheckpointException(path + ": is a directory without " + SINGLE + " or " + INDEX
                + ": expected a Hugging Face model directory, a .npz or a Flax msgpack file");
    }

    /** Maps {@code file} and reads it. */
    static Checkpoint openFile(Path file) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment data;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            MappedCheckpoint c = read(file, data, arena);
            c.mapped(data, MemoryLock.requested());
            return c;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CheckpointException(file + ": no such file", e);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(file + ": cannot read (" + e + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** One tensor's header entry, before its bytes are checked against the data section. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    /** Reads a safetensors file held in {@code data} (the mapping; tests pass heap bytes). */
    static MappedCheckpoint read(Path file, MemorySegment data, Arena arena) {
        long size = data.byteSize();
        if (size < 8) {
            throw new CheckpointException(file + ": " + size + " bytes, too short for a safetensors file (8-byte header length first)");
        }
        long n = data.get(U64, 0);
        if (n < 0 || n > MAX_HEADER) {
            throw new CheckpointException(file + ": header length " + Long.toUnsignedString(n) + " exceeds the safetensors limit of "
                    + MAX_HEADER + " bytes");
        }
        if (8 + n > size) {
            throw new CheckpointException(file + ": header length " + n + " runs past the end of the " + size + "-byte file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(data.asSlice(8, n).asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw new CheckpointException(file + ": header does not start with '{': expected a JSON object");
        }
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": header is not valid JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(file + ": header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                metadata(file, f.getValue());
                continue;
            }
            entries.add(entry(file, f.getKey(), f.getValue()));
        }
        long dataSize = size - 8 - n;
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            String where = file + ": tensor '" + e.name() + "'";
            if (e.begin() < next) {
                throw new CheckpointException(where + ": data_offsets [" + e.begin() + ", " + e.end() + "] overlap tensor '"
                        + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > next) {
                throw new CheckpointException(where + ": data_offsets [" + e.begin() + ", " + e.end() + "] leave a gap after byte "
                        + next + " of the data section: expected tensors to follow each other");
            }
            if (e.end() > dataSize) {
                throw new CheckpointException(where + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] run past the data section of " + dataSize + " bytes");
            }
            long expected = CheckpointFiles.byteSize(e.dtype(), e.shape(), where);
            if (e.end() - e.begin() != expected) {
                throw new CheckpointException(where + ": data_offsets [" + e.begin() + ", " + e.end() + "] hold "
                        + (e.end() - e.begin()) + " bytes, expected " + expected + " for " + CheckpointFiles.describe(e.dtype(), e.shape()));
            }
            next = e.end();
            previous = e;
        }
        if (next != dataSize) {
            throw new CheckpointException(file + ": data section has " + dataSize + " bytes but the tensors cover " + next
                    + ": " + (next < dataSize ? "trailing bytes" : "truncated file"));
        }
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        long base = 8 + n;
        for (Entry e : entries) {
            tensors.put(e.name(), new Tensor(e.name(), e.dtype(), e.shape(), data.asSlice(base + e.begin(), e.end() - e.begin())));
        }
        return new MappedCheckpoint(file, "safetensors", tensors, arena);
    }

    /** {@code __metadata__} must map strings to strings. */
    private static void metadata(Path file, JsonNode m) {
        if (!m.isObject()) throw new CheckpointException(file + ": __metadata__ is not a JSON object of strings");
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw new CheckpointException(file + ": __metadata__ '" + f.getKey() + "' is " + f.getValue().getNodeType()
                        + ", expected a string");
            }
        }
    }

    private static Entry entry(Path file, String name, JsonNode info) {
        String where = file + ": tensor '" + name + "'";
        if (!info.isObject()) throw new CheckpointException(where + ": expected {dtype, shape, data_offsets}, found " + info);
        for (Iterator<String> it = info.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new CheckpointException(where + ": unknown field '" + k + "', expected dtype, shape and data_offsets");
            }
        }
        JsonNode dtype = info.get("dtype"), shape = info.get("shape"), offsets = info.get("data_offsets");
        if (dtype == null || !dtype.isTextual()) throw new CheckpointException(where + ": missing string field 'dtype'");
        if (shape == null || !shape.isArray()) throw new CheckpointException(where + ": missing array field 'shape'");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(where + ": 'data_offsets' must be [begin, end], found " + offsets);
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) dims[i] = natural(shape.get(i), where + ": shape");
        long begin = natural(offsets.get(0), where + ": data_offsets"), end = natural(offsets.get(1), where + ": data_offsets");
        if (end < begin) throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        return new Entry(name, dtype(dtype.asText(), where), dims, begin, end);
    }

    private static long natural(JsonNode v, String where) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new CheckpointException(where + ": expected a non-negative integer, found " + v);
        }
        return v.asLong();
    }

    /** The safetensors dtype names; those the model cannot use are named as such. */
    static DType dtype(String name, String where) {
        return switch (name) {
            case "F32" -> DType.FLOAT32;
            case "F16" -> DType.FLOAT16;
            case "BF16" -> DType.BFLOAT16;
            case "I32" -> DType.INT32;
            case "U8" -> DType.UINT8;
            case "BOOL" -> DType.BOOL;
            case "F64", "I64", "U64", "I16", "U16", "I8", "U32", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
                 "C64" -> throw new CheckpointException(where + ": dtype " + name + " is not supported: expected F32, F16, BF16, "
                    + "I32, U8 or BOOL");
            default -> throw new CheckpointException(where + ": unknown dtype '" + name + "'");
        };
    }

    /** Opens every shard the index names and checks each tensor sits where the index says. */
    private static Checkpoint openSharded(Path dir, Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(index + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read (" + e + ")", e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new CheckpointException(index + ": missing object 'weight_map'");
        Map<String, String> shardOf = new LinkedHashMap<>();
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String shard = f.getValue().asText();
            if (!f.getValue().isTextual() || shard.contains("/") || shard.contains("\\") || shard.isEmpty()) {
                throw new CheckpointException(index + ": tensor '" + f.getKey() + "': shard " + f.getValue()
                        + " is not a file name in " + dir);
            }
            shardOf.put(f.getKey(), shard);
            byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(f.getKey());
        }
        for (var e : byShard.entrySet()) {
            if (!Files.isRegularFile(dir.resolve(e.getKey()))) {
                throw new CheckpointException(index + ": tensor '" + e.getValue().getFirst() + "': shard " + e.getKey()
                        + " is missing from " + dir);
            }
        }
        List<Checkpoint> shards = new ArrayList<>();
        try {
            for (String shard : byShard.keySet()) {
                Checkpoint c = openFile(dir.resolve(shard));
                shards.add(c);
                for (String name : c.tensors().keySet()) {
                    String listed = shardOf.get(name);
                    if (listed == null) {
                        throw new CheckpointException(c.file() + ": tensor '" + name + "' is not listed in " + index.getFileName());
                    }
                    if (!listed.equals(shard)) {
                        throw new CheckpointException(c.file() + ": tensor '" + name + "' is named twice: " + index.getFileName()
                                + " places it in " + listed);
                    }
                }
                for (String name : byShard.get(shard)) {
                    if (!c.tensors().containsKey(name)) {
                        throw new CheckpointException(c.file() + ": tensor '" + name + "' listed in " + index.getFileName()
                                + " is not in this shard");
                    }
                }
            }
            return new ShardedCheckpoint(dir, shards);
        } catch (RuntimeException e) {
            shards.forEach(Checkpoint::close);
            throw e;
        }
    }
}
