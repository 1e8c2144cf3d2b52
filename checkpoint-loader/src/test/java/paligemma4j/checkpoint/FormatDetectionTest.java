package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader is chosen by magic and structure; anything else is named by what it looks like. */
class FormatDetectionTest {
    private static final String EXPECTED = "; expected a ZIP/.npz (first bytes 50 4b 03 04), a Flax msgpack map or a safetensors file, found ";

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] image(String format) throws IOException {
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Test
    void aPngRenamedNpzIsNamedNotTakenForMsgpack() throws IOException {
        Path p = write("x.npz", image("png"));
        assertThatThrownBy(() -> Checkpoint.open(p)).isExactlyInstanceOf(CheckpointException.class)
                .hasMessage(p + ": not a checkpoint: looks like a PNG image" + EXPECTED + "89 50 4e 47 ('?PNG')");
    }

    @Test
    void aJpegAndATextFileAreNamed() throws IOException {
        Path jpg = write("y.msgpack", image("jpeg"));
        assertThatThrownBy(() -> Checkpoint.open(jpg))
                .hasMessage(jpg + ": not a checkpoint: looks like a JPEG image" + EXPECTED + "ff d8 ff e0 ('????')");
        Path txt = write("notes.npz", "héllo world\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Checkpoint.open(txt))
                .hasMessage(txt + ": not a checkpoint: looks like text" + EXPECTED + "68 c3 a9 6c ('h??l')");
    }

    @Test
    void signaturesNameWhatTheBytesAre() throws IOException {
        assertThat(FileSignature.describe("BMW is a car maker, not a bitmap".getBytes(StandardCharsets.UTF_8))).isEqualTo("text");
        assertThat(FileSignature.describe(image("bmp"))).isEqualTo("a BMP image");
        assertThat(FileSignature.describe(image("gif"))).isEqualTo("a GIF image");
        assertThat(FileSignature.describe(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}))
                .isEqualTo("a single .npy array (expected a .npz archive of them)");
        assertThat(FileSignature.describe(new byte[] {0x1F, (byte) 0x8B, 8, 0})).isEqualTo("a gzip archive");
        assertThat(FileSignature.describe(new byte[] {0, 1, 2, 3})).isEqualTo("binary data");
        assertThat(FileSignature.isImage(image("png"))).isTrue();
        assertThat(FileSignature.isImage("BM text".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void aMsgpackMapWhoseFirstKeyIsNotAStringIsNotFlax() throws IOException {
        Path p = write("m.msgpack", new byte[] {(byte) 0x81, 0x01, 0x02});
        assertThatThrownBy(() -> Checkpoint.open(p))
                .hasMessage(p + ": not a checkpoint: looks like binary data" + EXPECTED + "81 01 02 ('???')");
    }

    @Test
    void aDeviceIsNotARegularFile() {
        assertThatThrownBy(() -> Checkpoint.open(Path.of("/dev/zero")))
                .hasMessage("/dev/zero: not a regular file (a device, pipe or socket), expected a .npz or Flax msgpack file");
    }

    @Test
    void aSafetensorsFileIsReadWhateverItsName() throws IOException {
        byte[] bytes = safetensors(
                "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]}}", 12);
        Path p = write("model.safetensors", bytes);
        for (Path file : new Path[] {p, write("weights.bin", bytes)}) {   // by extension, then by its first bytes
            try (Checkpoint c = Checkpoint.open(file)) {
                assertThat(c.format()).as("%s", file).isEqualTo("safetensors");
                assertThat(c.tensors().keySet()).containsExactly("a", "b");
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            var c = SafetensorsReader.read(Path.of("s"), MemorySegment.ofArray(Files.readAllBytes(p)), arena);
            assertThat(c.tensors().keySet()).containsExactly("a", "b");
            assertThat(c.get("b").shape()).containsExactly(1, 2);
        }
    }

    @Test
    void safetensorsHeaderErrorsNameFileAndTensor() throws IOException {
        assertThat(safetensorsError("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4))
                .isEqualTo("s: tensor 'a': data_offsets [0, 8] run past the data section of 4 bytes");
        assertThat(safetensorsError("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .isEqualTo("s: tensor 'a': data_offsets [0, 8] hold 8 bytes, expected 12 for float32[3]");
        assertThat(safetensorsError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6))
                .isEqualTo("s: tensor 'b': data_offsets [2, 6] overlap tensor 'a' [0, 4]");
        assertThat(safetensorsError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8))
                .startsWith("s: header is not valid JSON (Duplicate field 'a'");
        assertThat(safetensorsError("{\"a\":{\"dtype\":\"X9\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
                .isEqualTo("s: tensor 'a': unknown dtype 'X9'");
        assertThat(safetensorsError("{} x", 0)).startsWith("s: header is not valid JSON (");
    }

    private static String safetensorsError(String header, int dataBytes) {
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsReader.read(Path.of("s"), MemorySegment.ofArray(safetensors(header, dataBytes)), arena);
        } catch (CheckpointException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + header);
    }

    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }
}
