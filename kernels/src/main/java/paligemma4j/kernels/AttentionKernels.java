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

    /** Key dimensions moved per pass of {@link #transposeKeys}: one 64-byte line of each key row. */
    static final int TRANSPOSE_DIMS = 16;

    /**
     * {@code kT[kOff + d·ldk + j] = k[j·kvStride + kvOff + d]} for j < n, d in [d0, d1) (keys as
     * columns), and zero for the padding columns j in [n, ldk). The {@link #headTransposed} kernels
     * compute their logits over whole vectors up to {@code ldk} (a multiple of {@link Simd#L}).
     * Read by blocks of {@link #TRANSPOSE_DIMS} dimensions so each key row is read a line at a time.
     */
    static void transposeKeys(float[] k, int kvStride, int kvOff, int n, int d0, int d1, float[] kT, int kOff, int ldk) {
        for (int b = d0; b < d1; b += TRANSPOSE_DIMS) {
            int e = Math.min(d1, b + TRANSPOSE_DIMS);
            for (int j = 0; j < n; j++) {
                int src = j * kvStride + kvOff;
                for (int d = b; d < e; d++) {
                    kT[kOff + d * ldk + j] = k[src + d];
                }
            }
            for (int d = b; d < e; d++) {
                java.util.Arrays.fill(kT, kOff + d * ldk + n, kOff + (d + 1) * ldk, 0f);
            }
        }
    }

    /**
     * As {@link #head} with the keys transposed ({@link #transposeKeys}, {@code ldk} a multiple of
     * {@link Simd#L}, zero-padded): the logits of L keys at a time are {@code Σ_d q̂_d · kT[d, j .. j+L)},
     * vector FMAs without horizontal sums (four key blocks in flight to hide the FMA latency); each
     * logit is still summed over d in order. {@code scratch} holds at least {@code headDim + ldk} floats.
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
        for (; j < n; j += L) {                                     // into the zero padding up to ldk
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                a = FloatVector.broadcast(F, scratch[d]).fma(FloatVector.fromArray(F, kT, kOff + d * ldk + j), a);
            }
            a.intoArray(scratch, logits + j);
        }
        softmaxTimesValues(headDim, v, kvStride, kvOff, n, scratch, logits, out, outOff);
    }

    /**
     * {@link #headTransposed} for four query rows {@code qOff + i·qStride} (i < 4) of one head that see
     * the same {@code n} keys: each key and value vector loaded is used by all four rows (the
     * one-row form does one FMA per load). Every logit and output element is summed in the same
     * order as the one-row form, so the results are identical. {@code scratch} holds at least
     * {@code 4·(headDim + ldk)} floats; row i writes {@code out[outOff + i·outStride ..]}. The four
     * query vectors may as well be four heads of one row that share a KV head ({@code qStride = headDim}).
     */
    static void fourRowsTransposed(float[] q, int qOff, int qStride, int headDim, float qDivisor, float[] kT, int kOff,
                                   int ldk, float[] v, int kvStride, int kvOff, int n, float[] scratch,
                                   float[] out, int outOff, int outStride) {
        int lg = 4 * headDim;                        // scratch: q̂ of the 4 rows, then 4 logit rows of ldk
        for (int i = 0; i < 4; i++) {
            for (int d = 0; d < headDim; d++) {
                scratch[i * headDim + d] = q[qOff + i * qStride + d] / qDivisor;
            }
        }
        // split in small methods: C2 keeps every vector in registers only when it inlines all of their ops
        int j = fourLogits(headDim, kT, kOff, ldk, n, scratch, lg);
        fourLogitsNarrow(headDim, kT, kOff, ldk, j, n, scratch, lg);
        for (int i = 0; i < 4; i++) {
            softmax(n, scratch, lg + i * ldk);
        }
        int dv = fourValues(headDim, v, kvStride, kvOff, n, scratch, lg, ldk, out, outOff, outStride);
        fourValuesNarrow(headDim, dv, v, kvStride, kvOff, n, scratch, lg, ldk, out, outOff, outStride);
        int dl = headDim - headDim % L;
        for (int d = dl; d < headDim; d++) {         // the last < L dims, scalar, same order over j
            for (int i = 0; i < 4; i++) {
                float o = 0f;
                for (int jj = 0; jj < n; jj++) {
                    o = Math.fma(scratch[lg + i * ldk + jj], v[jj * kvStride + kvOff + d], o);
                }
                out[outOff + i * outStride + d] = o;
            }
        }
    }

    /** Logits of the four q̂ rows (scratch [0, 4·headDim)) for keys [0, j) by 2L at a time; returns j. */
    private static int fourLogits(int headDim, float[] kT, int kOff, int ldk, int n, float[] scratch, int lg) {
        int q0 = 0, q1 = headDim, q2 = 2 * headDim, q3 = 3 * headDim;
        int l0 = lg, l1 = lg + ldk, l2 = lg + 2 * ldk, l3 = lg + 3 * ldk;
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                int row = kOff + d * ldk + j;
                FloatVector k0 = FloatVector.fromArray(F, kT, row), k1 = FloatVector.fromArray(F, kT, row + L);
                FloatVector s = FloatVector.broadcast(F, scratch[q0 + d]);
                a00 = s.fma(k0, a00);
                a01 = s.fma(k1, a01);
                s = FloatVector.broadcast(F, scratch[q1 + d]);
                a10 = s.fma(k0, a10);
                a11 = s.fma(k1, a11);
                s = FloatVector.broadcast(F, scratch[q2 + d]);
                a20 = s.fma(k0, a20);
                a21 = s.fma(k1, a21);
                s = FloatVector.broadcast(F, scratch[q3 + d]);
                a30 = s.fma(k0, a30);
                a31 = s.fma(k1, a31);
            }
            a00.intoArray(scratch, l0 + j);
            a01.intoArray(scratch, l0 + j + L);
            a10.intoArray(scratch, l1 + j);
            a11.intoArray(scratch, l1 + j + L);
            a20.intoArray(scratch, l2 + j);
            a21.intoArray(scratch, l2 + j + L);
            a30.intoArray(scratch, l3 + j);
            a31.intoArray(scratch, l3 + j + L);
        }
        return j;
    }

    /** The remaining keys [j, n) one vector at a time, into the zero padding up to ldk. */
    private static void fourLogitsNarrow(int headDim, float[] kT, int kOff, int ldk, int j, int n, float[] scratch, int lg) {
        int q0 = 0, q1 = headDim, q2 = 2 * headDim, q3 = 3 * headDim;
        int l0 = lg, l1 = lg + ldk, l2 = lg + 2 * ldk, l3 = lg + 3 * ldk;
        for (; j < n; j += L) {
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                FloatVector k0 = FloatVector.fromArray(F, kT, kOff + d * ldk + j);
                a0 = FloatVector.broadcast(F, scratch[q0 + d]).fma(k0, a0);
                a1 = FloatVector.broadcast(F, scratch[q1 + d]).fma(k0, a1);
                a2 = FloatVector.broadcast(F, scratch[q2 + d]).fma(k0, a2);
                a3 = FloatVector.broadcast(F, scratch[q3 + d]).fma(k0, a3);
            }
            a0.intoArray(scratch, l0 + j);
            a1.intoArray(scratch, l1 + j);
            a2.intoArray(scratch, l2 + j);
            a3.intoArray(scratch, l3 + j);
        }
    }

    /** {@code out[i, d .. d+2L) = Σ_j p_ij · v_j} for the dims [0, dv) by 2L; returns dv. */
    private static int fourValues(int headDim, float[] v, int kvStride, int kvOff, int n, float[] scratch, int lg, int ldk,
                                  float[] out, int outOff, int outStride) {
        int l0 = lg, l1 = lg + ldk, l2 = lg + 2 * ldk, l3 = lg + 3 * ldk;
        int dv = headDim - headDim % (2 * L);
        int o0 = outOff, o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        for (int d = 0; d < dv; d += 2 * L) {       // out[i, d .. d+2L) = Σ_j p_ij · v_j, in registers over j
            FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
            FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
            for (int jj = 0; jj < n; jj++) {
                int vj = jj * kvStride + kvOff + d;
                FloatVector v0 = FloatVector.fromArray(F, v, vj), v1 = FloatVector.fromArray(F, v, vj + L);
                FloatVector p = FloatVector.broadcast(F, scratch[l0 + jj]);
                c00 = v0.fma(p, c00);
                c01 = v1.fma(p, c01);
                p = FloatVector.broadcast(F, scratch[l1 + jj]);
                c10 = v0.fma(p, c10);
                c11 = v1.fma(p, c11);
                p = FloatVector.broadcast(F, scratch[l2 + jj]);
                c20 = v0.fma(p, c20);
                c21 = v1.fma(p, c21);
                p = FloatVector.broadcast(F, scratch[l3 + jj]);
                c30 = v0.fma(p, c30);
                c31 = v1.fma(p, c31);
            }
            c00.intoArray(out, o0 + d);
            c01.intoArray(out, o0 + d + L);
            c10.intoArray(out, o1 + d);
            c11.intoArray(out, o1 + d + L);
            c20.intoArray(out, o2 + d);
            c21.intoArray(out, o2 + d + L);
            c30.intoArray(out, o3 + d);
            c31.intoArray(out, o3 + d + L);
        }
        return dv;
    }

    /** The dims [dv, headDim − headDim % L) one vector at a time (72 = 4·16 + 8). */
    private static void fourValuesNarrow(int headDim, int dv, float[] v, int kvStride, int kvOff, int n, float[] scratch,
                                         int lg, int ldk, float[] out, int outOff, int outStride) {
        int l0 = lg, l1 = lg + ldk, l2 = lg + 2 * ldk, l3 = lg + 3 * ldk;
        int o0 = outOff, o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        int dl = headDim - headDim % L;
        for (int d = dv; d < dl; d += L) {               // one more vector of dims (72 = 4·16 + 8)
            FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
            for (int jj = 0; jj < n; jj++) {
                FloatVector v0 = FloatVector.fromArray(F, v, jj * kvStride + kvOff + d);
                c0 = v0.fma(FloatVector.broadcast(F, scratch[l0 + jj]), c0);
                c1 = v0.fma(FloatVector.broadcast(F, scratch[l1 + jj]), c1);
                c2 = v0.fma(FloatVector.broadcast(F, scratch[l2 + jj]), c2);
                c3 = v0.fma(FloatVector.broadcast(F, scratch[l3 + jj]), c3);
            }
            c0.intoArray(out, o0 + d);
            c1.intoArray(out, o1 + d);
            c2.intoArray(out, o2 + d);
            c3.intoArray(out, o3 + d);
        }
    }

    /** {@code out = Σ_j softmax(scratch[logits ..])_j · v_j}: max-subtracted exp, divide by the sum, then weight V. */
    static void softmaxTimesValues(int headDim, float[] v, int kvStride, int kvOff, int n, float[] scratch, int logits,
                                   float[] out, int outOff) {
        softmax(n, scratch, logits);
        int dv = headDim - headDim % L;
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

    /** In place: {@code scratch[logits .. + n)} = softmax of those logits (max-subtracted exp, divided by the sum). */
    static void softmax(int n, float[] scratch, int logits) {
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
    }
}
