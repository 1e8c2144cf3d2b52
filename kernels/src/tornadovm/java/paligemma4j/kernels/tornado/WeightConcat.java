package paligemma4j.kernels.tornado;

import java.lang.foreign.Arena;
import paligemma4j.kernels.Weight;

/**
 * Column-wise concatenation of weights (output-first ones transposed first, as every device copy is) and their
 * biases, for fused projections (QKV: 3 matmuls → 1).
 */
final class WeightConcat {

    private WeightConcat() {
    }

    /** {@code [in, a.out + b.out + …]} input-first: row i is row i of each part in turn ({@link Weight#concatColumns}). */
    static Weight columns(Weight... parts) {
        Arena arena = Arena.ofAuto();
        return Weight.concatColumns(java.util.Arrays.stream(parts).map(p -> p.inputFirst(arena)).toArray(Weight[]::new), arena);
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
