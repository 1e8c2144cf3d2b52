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
            float s = Simd.sumLanes(acc);
            for (int d = dv; d < headDim; d++) {
                s = Math.fma(scratch[d], k[kj + d], s);
            }
            scratch[logits + j] = s;
            max = Math.max(max, s);
        }
        softmaxTimesValues(headDim, v, kvStride, kvOff, n, scratch, logits, out, outOff);
    }

    /** {@code kT[kOff + d·ldk + j] = k[j·kvStride + kvOff + d]} for j < n, d < headDim (keys as columns). */
    static void transposeKeys(float[] k, int kvStride, int kvOff, int n, int headDim, float[] kT, int kOff, int ldk) {
        for (int j = 0; j < n; j++) {
            int src = j * kvStride + kvOff;
            for (int d = 0; d < headDim; d++) {
                kT[kOff + d * ldk + j] = k[src + d];
            }
        }
    }

    /**
     * As {@link #head} with the keys transposed ({@link #transposeKeys}): the logits of L keys at
     * a time are {@code Σ_d q̂_d · kT[d, j .. j+L)}, vector FMAs without horizontal sums (four
     * key blocks in flight to hide the FMA latency); each logit is still summed over d in order.
     */
    static void headTransposed(float[] q, int qOff, int headDim, float qDivisor, float[] kT, int kOff, int ldk,
                               float[] v, int kvStride, int kvOff, int n, float[] scratch, float[] out, int outOff) {
        int logits = headDim;
        for (int d = 0; d < headDim; d++) {
            scratch[d] = q[qOff + d] / qDivisor;
        }
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                FloatVector qd = FloatVector.broadcast(F, scratch[d]);
                int row = kOff + d * ldk + j;
                a0 = qd.fma(FloatVector.fromArray(F, kT, row), a0);
                a1 = qd.fma(FloatVector.fromArray(F, kT, row + L), a1);
                a2 = qd.fma(FloatVector.fromArray(F, kT, row + 2 * L), a2);
                a3 = qd.fma(FloatVector.fromArray(F, kT, row + 3 * L), a3);
            }
            a0.intoArray(scratch, logits + j);
            a1.intoArray(scratch, logits + j + L);
            a2.intoArray(scratch, logits + j + 2 * L);
            a3.intoArray(scratch, logits + j + 3 * L);
        }
        for (; j + L <= n; j += L) {
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                a = FloatVector.broadcast(F, scratch[d]).fma(FloatVector.fromArray(F, kT, kOff + d * ldk + j), a);
            }
            a.intoArray(scratch, logits + j);
        }
        for (; j < n; j++) {
            float a = 0f;
            for (int d = 0; d < headDim; d++) {
                a = Math.fma(scratch[d], kT[kOff + d * ldk + j], a);
            }
            scratch[logits + j] = a;
        }
        softmaxTimesValues(headDim, v, kvStride, kvOff, n, scratch, logits, out, outOff);
    }

    /** {@code out = Σ_j softmax(scratch[logits ..])_j · v_j}: max-subtracted exp, divide by the sum, then weight V. */
    static void softmaxTimesValues(int headDim, float[] v, int kvStride, int kvOff, int n, float[] scratch, int logits,
                                   float[] out, int outOff) {
        int dv = headDim - headDim % L;
        int nv = n - n % L;
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < nv; j += L) {
            maxV = maxV.max(FloatVector.fromArray(F, scratch, logits + j));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (int j = nv; j < n; j++) {
            max = Math.max(max, scratch[logits + j]);
        }
        FloatVector sumV = FloatVector.zero(F);
        for (int j = 0; j < nv; j += L) {
            FloatVector e = Simd.exp(FloatVector.fromArray(F, scratch, logits + j).sub(max));
            e.intoArray(scratch, logits + j);
            sumV = sumV.add(e);
        }
        float sum = Simd.sumLanes(sumV);
        for (int j = nv; j < n; j++) {
            float e = (float) Math.exp(scratch[logits + j] - max);
            scratch[logits + j] = e;
            sum += e;
        }
        for (int j = 0; j < n; j++) {
            scratch[logits + j] = scratch[logits + j] / sum;     // the probabilities, as jax.nn.softmax returns them
        }
        for (int d = 0; d < headDim; d++) {
            out[outOff + d] = 0f;
        }
        int j = 0;
        for (; j + 4 <= n; j += 4) {                              // four value rows per pass over out
            FloatVector p0 = FloatVector.broadcast(F, scratch[logits + j]);
            FloatVector p1 = FloatVector.broadcast(F, scratch[logits + j + 1]);
            FloatVector p2 = FloatVector.broadcast(F, scratch[logits + j + 2]);
            FloatVector p3 = FloatVector.broadcast(F, scratch[logits + j + 3]);
            int v0 = j * kvStride + kvOff, v1 = v0 + kvStride, v2 = v1 + kvStride, v3 = v2 + kvStride;
            for (int d = 0; d < dv; d += L) {
                FloatVector o = FloatVector.fromArray(F, out, outOff + d);
                o = FloatVector.fromArray(F, v, v0 + d).fma(p0, o);
                o = FloatVector.fromArray(F, v, v1 + d).fma(p1, o);
                o = FloatVector.fromArray(F, v, v2 + d).fma(p2, o);
                o = FloatVector.fromArray(F, v, v3 + d).fma(p3, o);
                o.intoArray(out, outOff + d);
            }
            for (int d = dv; d < headDim; d++) {
                float o = out[outOff + d];
                o = Math.fma(scratch[logits + j], v[v0 + d], o);
                o = Math.fma(scratch[logits + j + 1], v[v1 + d], o);
                o = Math.fma(scratch[logits + j + 2], v[v2 + d], o);
                o = Math.fma(scratch[logits + j + 3], v[v3 + d], o);
                out[outOff + d] = o;
            }
        }
        for (; j < n; j++) {
            float p = scratch[logits + j];
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
