package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors reader on hand-made files: a good file and directory read back exactly, and each malformed
 * case the safetensors library rejects gives one single-line {@link CheckpointException} naming file and tensor.
 */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    /** 8-byte length, {@code header} as UTF-8 bytes, then {@code data}. */
    private static byte[] file(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return b.array();
    }

    private Path write(String name, String header, int dataBytes) throws IOException {
        return write(name, file(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static AbstractThrowableAssert<?, ?> opening(Path p) {
        return assertThatThrownBy(() -> {
            try (Checkpoint c = Checkpoint.open(p)) {
                c.tensors();
            }
        }).isExactlyInstanceOf(CheckpointException.class).hasMessageNotContaining("\n");
    }

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void readsWrittenFileBackExactly() throws IOException {
        Path p = dir.resolve("w.safetensors");
        float[] a = {1.5f, -2f, 3.25f};
        short[] b = {0x3F80, (short) 0xC000};
        try (var w = SafetensorsWriter.create(p, List.of(new SafetensorsWriter.Spec("x.a", DType.FLOAT32, new long[] {3}),
                new SafetensorsWriter.Spec("x.b", DType.BFLOAT16, new long[] {1, 2})), Map.of("format", "pt"))) {
            w.write("x.a", MemorySegment.ofArray(a));
            w.write("x.b", MemorySegment.ofArray(b));
        }
        try (Checkpoint c = Checkpoint.open(p)) {
            assertThat(c.format()).isEqualTo("safetensors");
            assertThat(c.tensors().keySet()).containsExactly("x.a", "x.b");
            assertThat(c.get("x.a").toFloatArray()).containsExactly(1.5f, -2f, 3.25f);
            assertThat(c.get("x.b").dtype()).isEqualTo(DType.BFLOAT16);
            assertThat(c.get("x.b").shape()).containsExactly(1, 2);
            assertThat(c.get("x.b").toFloatArray()).containsExactly(1f, -2f);
        }
        assertThat((Files.size(p) - 8) % 8).isZero();
    }

    @Test
    void readsShardedDirectory() throws IOException {
        write("s1.safetensors", "{" + A + "}", 8);
        write("s2.safetensors", "{\"b\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[0,2]}}", 2);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":10},\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.file()).isEqualTo(dir);
            assertThat(c.tensors().keySet()).containsExactly("a", "b");
            assertThat(c.get("b").size()).isEqualTo(1);
        }
    }

    @Test
    void tooShort() throws IOException {
        Path p = write("short.safetensors", new byte[] {1, 2, 3});
        opening(p).hasMessage(p + ": 3 bytes, too short for a safetensors file (8-byte header length first)");
    }

    @Test
    void headerLengthPastEnd() throws IOException {
        byte[] f = file("{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        f[0] = 100;
        Path p = write("len.safetensors", f);
        opening(p).hasMessage(p + ": header length 100 runs past the end of the 10-byte file");
    }

    @Test
    void headerLengthOverLimit() throws IOException {
        byte[] f = file("{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        f[6] = 1;   // 2^48 + 2
        Path p = write("huge.safetensors", f);
        opening(p).hasMessage(p + ": header length 281474976710658 exceeds the safetensors limit of 100000000 bytes");
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path p = write("utf.safetensors", file(new byte[] {'{', (byte) 0xC3, '}'}, new byte[0]));
        opening(p).hasMessage(p + ": header is not valid UTF-8");
    }

    @Test
    void headerNotJson() throws IOException {
        Path p = write("json.safetensors", "{\"a\":", 0);
        opening(p).hasMessageStartingWith(p + ": header is not valid JSON (");
        Path q = write("start.safetensors", "[]", 0);
        opening(q).hasMessage(q + ": header does not start with '{': expected a JSON object");
    }

    @Test
    void unknownDtype() throws IOException {
        Path p = write("dt.safetensors", "{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        opening(p).hasMessage(p + ": tensor 'w': unknown dtype 'F33'");
        Path q = write("f64.safetensors", "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        opening(q).hasMessage(q + ": tensor 'w': dtype F64 is not supported: expected F32, F16, BF16, I32, U8 or BOOL");
    }

    @Test
    void offsetsOutsideDataSection() throws IOException {
        Path p = write("out.safetensors", "{" + A + "}", 4);
        opening(p).hasMessage(p + ": tensor 'a': data_offsets [0, 8] run past the data section of 4 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path p = write("overlap.safetensors", "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        opening(p).hasMessage(p + ": tensor 'b': data_offsets [4, 8] overlap tensor 'a' [0, 8]");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        Path p = write("gap.safetensors", "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        opening(p).hasMessage(p + ": tensor 'b': data_offsets [4, 8] leave a gap after byte 0 of the data section: "
                + "expected tensors to follow each other");
    }

    @Test
    void bytesNotDtypeTimesShape() throws IOException {
        Path p = write("size.safetensors", "{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        opening(p).hasMessage(p + ": tensor 'a': data_offsets [0, 8] hold 8 bytes, expected 6 for bfloat16[3]");
    }

    @Test
    void trailingBytes() throws IOException {
        Path p = write("trail.safetensors", "{" + A + "}", 12);
        opening(p).hasMessage(p + ": data section has 12 bytes but the tensors cover 8: trailing bytes");
    }

    @Test
    void badFields() throws IOException {
        Path p = write("neg.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8);
        opening(p).hasMessage(p + ": tensor 'a': shape: expected a non-negative integer, found -2");
        Path q = write("dup.safetensors", "{" + A + "," + A + "}", 8);
        opening(q).hasMessageStartingWith(q + ": header is not valid JSON (Duplicate field 'a')");
    }

    @Test
    void indexNamesMissingShard() throws IOException {
        write("s1.safetensors", "{" + A + "}", 8);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
        opening(dir).hasMessage(dir.resolve("model.safetensors.index.json") + ": tensor 'b': shard s2.safetensors is missing from " + dir);
    }

    @Test
    void tensorNamedTwice() throws IOException {
        write("s1.safetensors", "{" + A + "}", 8);
        write("s2.safetensors", "{" + A + "}", 8);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
        opening(dir).hasMessage(dir.resolve("s2.safetensors") + ": tensor 'a' is named twice: model.safetensors.index.json "
                + "places it in s1.safetensors");
    }

    @Test
    void indexedTensorMissingFromShard() throws IOException {
        write("s1.safetensors", "{" + A + "}", 8);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s1.safetensors\"}}");
        opening(dir).hasMessage(dir.resolve("s1.safetensors") + ": tensor 'c' listed in model.safetensors.index.json is not in this shard");
    }

    @Test
    void directoryWithoutWeights() {
        opening(dir).hasMessage(dir + ": is a directory without model.safetensors or model.safetensors.index.json: "
                + "expected a Hugging Face model directory, a .npz or a Flax msgpack file");
    }
}
