package paligemma4j.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict validator of a Hugging Face safetensors header: an 8-byte little-endian length N, then N bytes
 * of UTF-8 JSON, one object mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin,
 * end]}} (plus an optional {@code "__metadata__"} of strings). The data offsets, relative to the end of the
 * header, must tile the rest of the file exactly, and each tensor's bytes must match its dtype and shape.
 */
final class SafetensorsHeader {
    /** The format's own limit on the header (safetensors refuses larger ones). */
    static final long MAX_HEADER = 100L << 20;
    private static final int MAX_RANK = 64;
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1),
            Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8));
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build();

    /** One tensor: its bytes are {@code [begin, end)} after the header. */
    record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    private SafetensorsHeader() {}

    /** The file starts with a plausible header length followed by '{' (what distinguishes safetensors). */
    static boolean looksLike(MemorySegment data) {
        long n = data.byteSize();
        if (n < 10) return false;
        long len = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        return len >= 2 && len <= n - 8 && data.get(ValueLayout.JAVA_BYTE, 8) == '{';
    }

    /** The header's tensors in file order; a {@link CheckpointException} naming {@code file} for anything malformed. */
    static List<Entry> parse(String file, MemorySegment data) {
        long n = data.byteSize();
        if (n < 8) throw error(file, "file of " + n + " bytes is shorter than the 8-byte header length");
        long len = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (len < 2 || len > n - 8 || len > MAX_HEADER) {
            throw error(file, "header length " + Long.toUnsignedString(len) + " does not fit the file of " + n
                    + " bytes (at most " + MAX_HEADER + ")");
        }
        byte[] raw = data.asSlice(8, len).toArray(ValueLayout.JAVA_BYTE);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(raw));
        } catch (CharacterCodingException e) {
            throw error(file, "header is not valid UTF-8");
        }
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw error(file, "header is not a JSON object");
            Set<String> names = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("__metadata__")) {
                    metadata(file, p, t);
                    continue;
                }
                if (!names.add(name)) throw error(file, "tensor '" + name + "' appears twice");
                if (t != JsonToken.START_OBJECT) throw error(file, "tensor '" + name + "': expected an object");
                entries.add(entry(file, name, p));
            }
            // whitespace may pad the header (the format allows trailing spaces)
            if (p.nextToken() != null) throw error(file, "header has data after its JSON object");
        } catch (JsonProcessingException e) {
            throw error(file, "header is not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("")
                    + " at column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw error(file, "cannot read header (" + e.getMessage() + ")");
        }
        long dataSize = n - 8 - len;
        entries.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        long at = 0;
        for (Entry e : entries) {
            if (e.begin() != at) {
                throw error(file, "tensor '" + e.name() + "' starts at data offset " + e.begin() + ", expected " + at
                        + " (tensors must tile the data without gaps or overlaps)");
            }
            at = e.end();
        }
        if (at != dataSize) {
            throw error(file, "tensors cover " + at + " data bytes but the file holds " + dataSize);
        }
        return entries;
    }

    private static void metadata(String file, JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) throw error(file, "__metadata__: expected an object of strings");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw error(file, "__metadata__['" + p.currentName() + "']: expected a string");
            }
        }
    }

    private static Entry entry(String file, String name, JsonParser p) throws IOException {
        String where = "tensor '" + name + "'";
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING || !DTYPE_BYTES.containsKey(p.getText())) {
                        throw error(file, where + ": dtype " + p.getText() + " is not one of " + new java.util.TreeSet<>(DTYPE_BYTES.keySet()));
                    }
                    dtype = p.getText();
                }
                case "shape" -> shape = longs(file, where + ": shape", p, v, MAX_RANK);
                case "data_offsets" -> offsets = longs(file, where + ": data_offsets", p, v, 2);
                default -> throw error(file, where + ": unexpected field '" + field + "' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype == null || shape == null || offsets == null || offsets.length != 2) {
            throw error(file, where + ": needs dtype, shape and data_offsets [begin, end]");
        }
        if (offsets[1] < offsets[0]) {
            throw error(file, where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.numElements(shape), DTYPE_BYTES.get(dtype));
        } catch (ArithmeticException e) {
            throw error(file, where + ": shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw error(file, where + ": " + dtype + java.util.Arrays.toString(shape) + " needs " + bytes
                    + " bytes, data_offsets give " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] longs(String file, String where, JsonParser p, JsonToken t, int max) throws IOException {
        if (t != JsonToken.START_ARRAY) throw error(file, where + ": expected an array of integers");
        long[] out = new long[max];
        int k = 0;
        for (JsonToken e; (e = p.nextToken()) != JsonToken.END_ARRAY; ) {
            if (e != JsonToken.VALUE_NUMBER_INT || k == max) {
                throw error(file, where + ": expected at most " + max + " non-negative integers");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw error(file, where + ": " + p.getText() + " is not a non-negative 64-bit integer");
            }
            out[k++] = p.getLongValue();
        }
        return java.util.Arrays.copyOf(out, k);
    }

    private static CheckpointException error(String file, String message) {
        return new CheckpointException(file + ": safetensors " + message);
    }
}
