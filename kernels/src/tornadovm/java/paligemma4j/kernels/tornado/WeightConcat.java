package paligemma4j.kernels.tornado;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import paligemma4j.kernels.Weight;

/** Column-wise concatenation of input-first weights, for fused projections (QKV: 3 matmuls → 1). */
final class WeightConcat {

    private WeightConcat() {
    }

    /** {@code [in, a.cols + b.cols + …]}: row i is row i of each part in turn. Same type and rows required. */
    static Weight columns(Weight... parts) {
        int in = parts[0].rows(), cols = 0;
        for (Weight p : parts) {
            if (p.rows() != in || p.type() != parts[0].type()) {
                throw new IllegalArgumentException("fused projection: parts must share rows and type, got [" + p.rows()
                        + ", " + p.cols() + "] " + p.type() + " next to [" + in + ", …] " + parts[0].type());
            }
            cols += p.cols();
        }
        int bytes = parts[0].type().bytes;
        MemorySegment out = Arena.ofAuto().allocate((long) in * cols * bytes, 8);
        long dst = 0;
        for (int i = 0; i < in; i++) {
            for (Weight p : parts) {
                long rowBytes = (long) p.cols() * bytes;
                MemorySegment.copy(p.data(), i * rowBytes, out, dst, rowBytes);
                dst += rowBytes;
            }
        }
        return new Weight(out, parts[0].type(), in, cols);
    }

    /** Concatenated float vectors (the fused projection's bias). */
    static float[] vectors(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
