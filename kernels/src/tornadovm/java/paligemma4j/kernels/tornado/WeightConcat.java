package paligemma4j.kernels.tornado;

import java.lang.foreign.Arena;
import paligemma4j.kernels.Weight;

/** Column-wise concatenation of input-first weights and their biases, for fused projections (QKV: 3 matmuls → 1). */
final class WeightConcat {

    private WeightConcat() {
    }

    /** {@code [in, a.cols + b.cols + …]}: row i is row i of each part in turn ({@link Weight#concatColumns}). */
    static Weight columns(Weight... parts) {
        return Weight.concatColumns(parts, Arena.ofAuto());
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
