package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Attention of one query head over {@code n} visible keys, in the reference order: scaled query
 * {@code q / qDivisor}, float32 logits, {@code p = exp(l − max) / Σ exp(l − max)}, then
 * {@code out = Σ_j p_j · v_j}.
 */
final class AttentionKernels {

    private AttentionKernels() {
    }

    /**
     * Query at {@code q[qOff ..]}, keys/values at {@code k/v[j·kvStride + kvOff ..]} for j < n;
     * {@code scratch} holds at least {@code headDim + n} floats. Writes {@code out[outOff .. + headDim)}.
     */
    static void head(float[] q, int qOff, int headDim, float qDivisor, float[] k, float[] v, int kvStride, int kvOff,
                     int n, float[] scratch, float[] out, int outOff) {
        int dv = headDim - headDim % L;
        int logits = headDim;
        for (int d = 0; d < dv; d += L) {
            FloatVector.fromArray(F, q, qOff + d).div(qDivisor).intoArray(scratch, d);
        }
        for (int d = dv; d < headDim; d++) {
            scratch[d] = q[qOff + d] / qDivisor;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            int kj = j * kvStride + kvOff;
            FloatVector acc = FloatVector.zero(F);
            for (int d = 0; d < dv; d += L) {
                acc = FloatVector.fromArray(F, scratch, d).fma(FloatVector.fromArray(F, k, kj + d), acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (int d = dv; d < headDim; d++) {
                s = Math.fma(scratch[d], k[kj + d], s);
            }
            scratch[logits + j] = s;
            max = Math.max(max, s);
        }
        int nv = n - n % L;
        FloatVector sumV = FloatVector.zero(F);
        for (int j = 0; j < nv; j += L) {
            FloatVector e = FloatVector.fromArray(F, scratch, logits + j).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(scratch, logits + j);
            sumV = sumV.add(e);
        }
        float sum = sumV.reduceLanes(VectorOperators.ADD);
        for (int j = nv; j < n; j++) {
            float e = (float) Math.exp(scratch[logits + j] - max);
            scratch[logits + j] = e;
            sum += e;
        }
        for (int d = 0; d < headDim; d++) {
            out[outOff + d] = 0f;
        }
        for (int j = 0; j < n; j++) {
            float p = scratch[logits + j] / sum;
            FloatVector pv = FloatVector.broadcast(F, p);
            int vj = j * kvStride + kvOff;
            for (int d = 0; d < dv; d += L) {
                FloatVector.fromArray(F, v, vj + d).fma(pv, FloatVector.fromArray(F, out, outOff + d))
                        .intoArray(out, outOff + d);
            }
            for (int d = dv; d < headDim; d++) {
                out[outOff + d] = Math.fma(p, v[vj + d], out[outOff + d]);
            }
        }
    }
}
