package paligemma4j.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named, shaped, typed, read-only view of tensor data: C order, little-endian. The
 * segment usually points straight into a memory-mapped file (no copy); it may be larger
 * than 2 GB.
 *
 * @param key   the flat key without a leading {@code params/}, e.g. {@code llm/final_norm/scale}
 * @param dtype element type as stored
 * @param shape dimensions, leading axis first
 * @param data  exactly {@code size() * dtype.bytes} bytes
 */
public record Tensor(String key, DType dtype, long[] shape, MemorySegment data) {

    public static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        shape = shape.clone();
        long expected = Math.multiplyExact(numElements(shape), dtype.bytes);
        if (data.byteSize() != expected) {
            throw new CheckpointException("tensor " + key + ": data has " + data.byteSize()
                    + " bytes, expected " + expected + " for " + dtype.jsonName + Arrays.toString(shape));
        }
    }

    public static long numElements(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long size() {
        return numElements(shape);
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public long byteSize() {
        return data.byteSize();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Element {@code i} (flat, C order) widened to float32. bf16 = bits << 16; f16 via IEEE binary16. */
    public float getFloat(long i) {
        return switch (dtype) {
            case FLOAT32 -> data.get(F32, i * 4);
            case BFLOAT16 -> Float.intBitsToFloat((data.get(I16, i * 2) & 0xFFFF) << 16);
            case FLOAT16 -> Float.float16ToFloat(data.get(I16, i * 2));
            case INT32 -> data.get(I32, i * 4);
            case UINT8 -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1f : 0f;
        };
    }

    /** Raw 16-bit pattern of element {@code i}, for kernels that keep bf16/f16 weights in 16 bits. */
    public short getRaw16(long i) {
        if (dtype.bytes != 2) {
            throw new CheckpointException("tensor " + key + ": raw 16-bit view asked of " + dtype.jsonName);
        }
        return data.get(I16, i * 2);
    }

    /** The whole tensor converted to float32 (a copy; for small tensors: norms, biases). */
    public float[] toFloatArray() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("tensor " + key + ": " + n + " elements do not fit one float[]");
        }
        float[] out = new float[(int) n];
        copyTo(0, out, 0, out.length);
        return out;
    }

    /** Converts {@code n} elements starting at flat index {@code from} into {@code dst[dstOff..]}. */
    public void copyTo(long from, float[] dst, int dstOff, int n) {
        if (dtype == DType.FLOAT32) {
            MemorySegment.copy(data, F32, from * 4, dst, dstOff, n);
            return;
        }
        for (int k = 0; k < n; k++) dst[dstOff + k] = getFloat(from + k);
    }

    /** Sub-tensor at index {@code index} of the leading axis (e.g. one layer of a scanned stack); no copy. */
    public Tensor slice(long index) {
        if (shape.length == 0 || index < 0 || index >= shape[0]) {
            throw new CheckpointException("tensor " + key + ": index " + index + " outside leading axis of "
                    + Arrays.toString(shape));
        }
        long[] sub = Arrays.copyOfRange(shape, 1, shape.length);
        long bytes = numElements(sub) * dtype.bytes;
        return new Tensor(key + "[" + index + "]", dtype, sub, data.asSlice(index * bytes, bytes));
    }

    @Override
    public String toString() {
        return key + " " + dtype.jsonName + Arrays.toString(shape);
    }
}
