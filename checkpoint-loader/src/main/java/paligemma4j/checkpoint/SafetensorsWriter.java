package paligemma4j.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file tensor by tensor: the header (every name, dtype, shape and offset) is known up
 * front from the specs, then each tensor's bytes are appended in spec order, so a large model streams through
 * bounded memory. The header is padded with spaces to a multiple of 8 bytes, as the safetensors library does.
 */
public final class SafetensorsWriter implements AutoCloseable {

    /** One tensor to come: name, element type and shape. */
    public record Spec(String name, DType dtype, long[] shape) {
        public long bytes() {
            return Math.multiplyExact(Tensor.numElements(shape), dtype.bytes);
        }
    }

    private final Path file;
    private final List<Spec> specs;
    private final FileChannel out;
    private int next;
    private final byte[] chunk = new byte[1 << 20];

    private SafetensorsWriter(Path file, List<Spec> specs, FileChannel out) {
        this.file = file;
        this.specs = List.copyOf(specs);
        this.out = out;
    }

    /** Creates {@code file} (replacing it) and writes the header for {@code specs}; {@code metadata} may be empty. */
    public static SafetensorsWriter create(Path file, List<Spec> specs, Map<String, String> metadata) {
        ObjectNode header = new ObjectMapper().createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Spec s : specs) {
            ObjectNode t = header.putObject(s.name());
            t.put("dtype", name(s.dtype()));
            ArrayNode shape = t.putArray("shape");
            for (long d : s.shape()) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + s.bytes());
            offset += s.bytes();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            while (head.hasRemaining()) ch.write(head);
            return new SafetensorsWriter(file, specs, ch);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write (" + e + ")", e);
        }
    }

    /** Appends the next tensor's bytes (little-endian, C order); its name and size must match the next spec. */
    public void write(String name, MemorySegment bytes) {
        write(name, piece -> piece.accept(bytes));
    }

    /** Appends the next tensor as the pieces {@code source} emits, in order; together they must fill its spec. */
    public void write(String name, NpzWriter.Source source) {
        if (next >= specs.size() || !specs.get(next).name().equals(name)) {
            throw new IllegalStateException(file + ": tensor '" + name + "' written out of order, expected "
                    + (next < specs.size() ? "'" + specs.get(next).name() + "'" : "no more tensors"));
        }
        Spec s = specs.get(next);
        long[] written = {0};
        IOException[] failed = {null};
        source.emit(bytes -> {
            if (failed[0] != null) return;
            try {
                for (long at = 0; at < bytes.byteSize(); ) {       // through a byte[] chunk: any segment kind, bounded memory
                    int n = (int) Math.min(bytes.byteSize() - at, chunk.length);
                    MemorySegment.copy(bytes, java.lang.foreign.ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                    ByteBuffer buf = ByteBuffer.wrap(chunk, 0, n);
                    while (buf.hasRemaining()) out.write(buf);
                    at += n;
                }
                written[0] += bytes.byteSize();
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) throw new CheckpointException(file + ": cannot write tensor '" + name + "' (" + failed[0] + ")", failed[0]);
        if (written[0] != s.bytes()) {
            throw new IllegalStateException(file + ": tensor '" + name + "' has " + written[0] + " bytes, its spec "
                    + s.dtype().jsonName + Arrays.toString(s.shape()) + " needs " + s.bytes());
        }
        next++;
    }

    /** The safetensors name of a dtype. */
    public static String name(DType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT32 -> "I32";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot close (" + e + ")", e);
        }
        if (next != specs.size()) {
            throw new IllegalStateException(file + ": closed after " + next + " of " + specs.size() + " tensors");
        }
    }
}
