package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Attention of one query head over {@code n} visible keys, in the reference order: scaled query
 * {@code q / qDivisor}, float32 logits (soft-capped when {@code softCap > 0}), {@code p = exp(l − max) / Σ exp(l − max)} (0 where l − max &lt; −64,
 * {@link #FLUSH_BELOW}), then
 * {@code out = Σ_j p_j · v_j}.
 *
 * <p>These are the hot inner loops: arrays, offsets and sizes go in as plain parameters, not records, so a
 * call allocates and dereferences nothing beyond its data (hence the long parameter lists).
 */
final class AttentionKernels {

    private AttentionKernels() {
    }

    /**
     * Query at {@code q[qOff ..]}, keys/values at {@code k/v[j·kvStride + kvOff ..]} for j < n;
     * {@code scratch} holds at least {@code headDim + n} floats. Writes {@code out[outOff .. + headDim)}.
     */
    static void head(float[] q, int qOff, int headDim, float qDivisor, float softCap, float[] k, float[] v, int kvStride, int kvOff,
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
        softmaxTimesValues(headDim, v, kvStride, kvOff, n, scratch, logits, softCap, out, outOff);
    }

    /**
     * Keys per panel of {@link #packKeys} and dims per panel of {@link #packValues}: two vectors, the GEMM
     * micro-kernel's panel width ({@link #tilePacked} runs it on these panels).
     */
    static final int P = MatmulKernels.NR;

    /** Floats {@link #packKeys} writes for {@code n} keys of {@code headDim}: whole panels of P keys. */
    static int packedKeysSize(int n, int headDim) {
        return panels(n) * P * headDim;
    }

    /** Floats {@link #packValues} writes for {@code n} values of {@code headDim}: whole panels of P dims. */
    static int packedValuesSize(int n, int headDim) {
        return panels(headDim) * P * n;
    }

    static int panels(int count) {
        return (count + P - 1) / P;
    }

    /**
     * Keys of one KV head as panels of P keys, for key panels [b0, b1): {@code kP[kOff + (b·headDim + d)·P + c]
     * = k[(b·P + c)·kvStride + kvOff + d]}, zero past key n. The logit kernels then read P keys of one
     * dim as one contiguous 2-vector step, panel after panel (a transposed [headDim, n] layout made
     * them read one cache line per dim at an n-float stride).
     */
    static void packKeys(float[] k, int kvStride, int kvOff, int n, int headDim, float[] kP, int kOff, int b0, int b1) {
        for (int b = b0; b < b1; b++) {
            int base = kOff + b * headDim * P;
            for (int c = 0; c < P; c++) {
                int j = b * P + c;
                if (j >= n) {
                    for (int d = 0; d < headDim; d++) {
                        kP[base + d * P + c] = 0f;
                    }
                    continue;
                }
                int src = j * kvStride + kvOff;
                for (int d = 0; d < headDim; d++) {
                    kP[base + d * P + c] = k[src + d];
                }
            }
        }
    }

    /**
     * Values of one KV head as panels of P dims, for dim panel {@code b}: {@code vP[vOff + (b·n + j)·P + c]
     * = v[j·kvStride + kvOff + b·P + c]}, zero past headDim: the value kernel reads each value's P
     * dims of a panel contiguously, key after key (the cache rows are kvStride apart).
     */
    static void packValues(float[] v, int kvStride, int kvOff, int n, int headDim, float[] vP, int vOff, int b) {
        int d0 = b * P, valid = Math.min(P, headDim - d0);
        int base = vOff + b * n * P;
        for (int j = 0; j < n; j++) {
            System.arraycopy(v, j * kvStride + kvOff + d0, vP, base + j * P, valid);
            for (int c = valid; c < P; c++) {
                vP[base + j * P + c] = 0f;
            }
        }
    }

    /**
     * As {@link #head} with the keys packed ({@link #packKeys}): the logits of P keys at a time are
     * {@code Σ_d q̂_d · kP[panel, d, 0 .. P)}, vector FMAs without horizontal sums; each logit is still
     * summed over d in order. Values from the cache layout ({@link #softmaxTimesValues}).
     * {@code scratch} holds at least {@code headDim + panels(n)·P} floats.
     */
    static void headPacked(float[] q, int qOff, int headDim, float qDivisor, float softCap, float[] kP, int kOff,
                           float[] v, int kvStride, int kvOff, int n, float[] scratch, float[] out, int outOff) {
        int logits = headDim;
        System.arraycopy(q, qOff, scratch, 0, headDim);
        divide(scratch, 0, headDim, qDivisor);
        for (int b = 0; b * P < n; b++) {
            oneLogitPanel(headDim, kP, kOff + b * headDim * P, scratch, logits + b * P);
        }
        softmaxTimesValues(headDim, v, kvStride, kvOff, n, scratch, logits, softCap, out, outOff);
    }

    private static void oneLogitPanel(int headDim, float[] kP, int at, float[] scratch, int to) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int d = 0; d < headDim; d++) {
            FloatVector qd = FloatVector.broadcast(F, scratch[d]);
            a0 = qd.fma(FloatVector.fromArray(F, kP, at + d * P), a0);
            a1 = qd.fma(FloatVector.fromArray(F, kP, at + d * P + L), a1);
        }
        a0.intoArray(scratch, to);
        a1.intoArray(scratch, to + L);
    }

    /**
     * {@link #headPacked} for four query vectors {@code qOff + i·qStride} (i < 4) that see the same
     * {@code n} keys of one KV head: four rows of one head, or four heads of one row sharing a KV head
     * ({@code qStride = headDim}). Each key and value vector loaded serves all four (the one-row form
     * does one FMA per load); every logit and output element is summed in the same order as the
     * one-row form, so the results are identical. Values packed by {@link #packValues} at
     * {@code vOff} with {@code vRows} keys per panel. {@code scratch} holds at least
     * {@link #fourScratch}(headDim, n) floats; query i writes {@code out[outOff + i·outStride ..]}.
     */
    static void fourPacked(float[] q, int qOff, int qStride, int headDim, float qDivisor, float softCap, float[] kP, int kOff,
                           float[] vP, int vOff, int vRows, int n, float[] scratch, float[] out, int outOff,
                           int outStride) {
        int ldl = panels(n) * P;                     // scratch: q̂ of the 4 queries, then 4 logit rows of ldl
        int lg = 4 * headDim;
        for (int i = 0; i < 4; i++) {
            System.arraycopy(q, qOff + i * qStride, scratch, i * headDim, headDim);
        }
        divide(scratch, 0, 4 * headDim, qDivisor);
        // small methods: C2 keeps every vector in registers only when it inlines all of their ops
        for (int b = 0; b * P < n; b++) {
            fourLogitPanel(headDim, kP, kOff + b * headDim * P, scratch, lg + b * P, ldl);
        }
        for (int i = 0; i < 4; i++) {
            softmax(n, scratch, lg + i * ldl, softCap);
        }
        for (int b = 0; b * P < headDim; b++) {
            fourValuePanel(vP, vOff + b * vRows * P, n, scratch, lg, ldl, out, outOff + b * P, outStride,
                    Math.min(P, headDim - b * P), lg + 4 * ldl);
        }
    }

    /**
     * {@link #fourPacked} for {@link MatmulKernels#MR} query vectors {@code qOff + i·qStride} (i < {@code valid};
     * the tile's other rows are zero) that see the same {@code n} keys of one KV head, with the GEMM's
     * micro-kernel ({@link MatmulKernels#kernel}): q̂ packed as its A operand against the key panels
     * (depth headDim), then the probabilities packed as A against the value panels (depth n). Each K/V
     * vector loaded serves MR queries (four in {@link #fourPacked}); every logit and output element is
     * summed in the same order, so the results are identical. {@code scratch} holds at least
     * {@link #tileScratch}(headDim, n) floats, {@code t} {@link MatmulKernels#tileSize} (the micro-kernel's output).
     */
    static void tilePacked(float[] q, int qOff, int qStride, int valid, int headDim, float qDivisor, float softCap, float[] kP,
                           int kOff, float[] vP, int vOff, int vRows, int n, float[] scratch, float[] out,
                           int outOff, int outStride, float[] t) {
        final int mr = MatmulKernels.MR;
        int ldl = panels(n) * P;                     // scratch: packed q̂, MR logit rows of ldl, packed p
        int lg = mr * headDim, pp = lg + mr * ldl;
        for (int i = 0; i < mr; i++) {
            int src = qOff + i * qStride;
            for (int d = 0; d < headDim; d++) {
                scratch[d * mr + i] = i < valid ? q[src + d] / qDivisor : 0f;
            }
        }
        for (int b = 0; b * P < n; b++) {
            MatmulKernels.kernel(scratch, 0, kP, kOff + b * headDim * P, headDim, t);
            for (int i = 0; i < valid; i++) {
                System.arraycopy(t, i * P, scratch, lg + i * ldl + b * P, P);
            }
        }
        for (int i = 0; i < valid; i++) {
            softmax(n, scratch, lg + i * ldl, softCap);
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < mr; i++) {
                scratch[pp + j * mr + i] = i < valid ? scratch[lg + i * ldl + j] : 0f;
            }
        }
        for (int b = 0; b * P < headDim; b++) {
            MatmulKernels.kernel(scratch, pp, vP, vOff + b * vRows * P, n, t);
            int width = Math.min(P, headDim - b * P);
            for (int i = 0; i < valid; i++) {
                System.arraycopy(t, i * P, out, outOff + i * outStride + b * P, width);
            }
        }
    }

    /** Floats of scratch {@link #tilePacked} needs: packed q̂, the logit rows, packed probabilities. */
    static int tileScratch(int headDim, int n) {
        return MatmulKernels.MR * (headDim + panels(n) * P + n);
    }

    /** Floats of scratch {@link #fourPacked} needs: the four q̂, four logit rows, one panel for a partial store. */
    static int fourScratch(int headDim, int n) {
        return 4 * (headDim + panels(n) * P) + P;
    }

    /** Logits of the four q̂ (scratch [0, 4·headDim)) against the P keys of the panel at {@code at}. */
    private static void fourLogitPanel(int headDim, float[] kP, int at, float[] scratch, int to, int ldl) {
        int q0 = 0, q1 = headDim, q2 = 2 * headDim, q3 = 3 * headDim;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        for (int d = 0; d < headDim; d++) {
            int row = at + d * P;
            FloatVector k0 = FloatVector.fromArray(F, kP, row), k1 = FloatVector.fromArray(F, kP, row + L);
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
        a00.intoArray(scratch, to);
        a01.intoArray(scratch, to + L);
        a10.intoArray(scratch, to + ldl);
        a11.intoArray(scratch, to + ldl + L);
        a20.intoArray(scratch, to + 2 * ldl);
        a21.intoArray(scratch, to + 2 * ldl + L);
        a30.intoArray(scratch, to + 3 * ldl);
        a31.intoArray(scratch, to + 3 * ldl + L);
    }

    /**
     * {@code out[i, 0 .. valid) = Σ_j p_ij · v_j} over the P dims of one value panel at {@code at}, in
     * registers over j (p_ij at scratch[lg + i·ldl + j]).
     */
    private static void fourValuePanel(float[] vP, int at, int n, float[] scratch, int lg, int ldl,
                                       float[] out, int outOff, int outStride, int valid, int tmp) {
        int l0 = lg, l1 = lg + ldl, l2 = lg + 2 * ldl, l3 = lg + 3 * ldl;
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        for (int j = 0; j < n; j++) {
            int vj = at + j * P;
            FloatVector v0 = FloatVector.fromArray(F, vP, vj), v1 = FloatVector.fromArray(F, vP, vj + L);
            FloatVector p = FloatVector.broadcast(F, scratch[l0 + j]);
            c00 = v0.fma(p, c00);
            c01 = v1.fma(p, c01);
            p = FloatVector.broadcast(F, scratch[l1 + j]);
            c10 = v0.fma(p, c10);
            c11 = v1.fma(p, c11);
            p = FloatVector.broadcast(F, scratch[l2 + j]);
            c20 = v0.fma(p, c20);
            c21 = v1.fma(p, c21);
            p = FloatVector.broadcast(F, scratch[l3 + j]);
            c30 = v0.fma(p, c30);
            c31 = v1.fma(p, c31);
        }
        if (valid == P) {
            int o1 = outOff + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
            c00.intoArray(out, outOff);
            c01.intoArray(out, outOff + L);
            c10.intoArray(out, o1);
            c11.intoArray(out, o1 + L);
            c20.intoArray(out, o2);
            c21.intoArray(out, o2 + L);
            c30.intoArray(out, o3);
            c31.intoArray(out, o3 + L);
            return;
        }
        // the last panel of a head size like 72 or 17: through P floats of scratch at tmp
        storePartial(c00, c01, valid, scratch, tmp, out, outOff);
        storePartial(c10, c11, valid, scratch, tmp, out, outOff + outStride);
        storePartial(c20, c21, valid, scratch, tmp, out, outOff + 2 * outStride);
        storePartial(c30, c31, valid, scratch, tmp, out, outOff + 3 * outStride);
    }

    private static void storePartial(FloatVector lo, FloatVector hi, int valid, float[] tmp, int tmpOff, float[] out, int at) {
        lo.intoArray(tmp, tmpOff);
        hi.intoArray(tmp, tmpOff + L);
        System.arraycopy(tmp, tmpOff, out, at, valid);
    }

    /** {@code out = Σ_j softmax(scratch[logits ..])_j · v_j}: max-subtracted exp, divide by the sum, then weight V. */
    static void softmaxTimesValues(int headDim, float[] v, int kvStride, int kvOff, int n, float[] scratch, int logits,
                                   float softCap, float[] out, int outOff) {
        softmax(n, scratch, logits, softCap);
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

    /**
     * Logits more than 64 below the row's maximum get probability 0 instead of e^(l − max) ≤ e^−64 ≈ 1.6e−28:
     * against the maximum's 1 such a term changes no float32 sum, and it keeps p and p·v out of the
     * subnormal range, where every multiply or FMA takes a microcode assist on x86 (XLA on CPU flushes
     * subnormals itself). Without it a peaked softmax makes the attention an order of magnitude slower.
     */
    static final float FLUSH_BELOW = -64f;

    /**
     * In place: {@code scratch[logits .. + n)} = softmax of those logits (max-subtracted exp, divided by the sum),
     * after the soft-cap {@link AttentionShape#softCap} (0 = none).
     */
    static void softmax(int n, float[] scratch, int logits, float softCap) {
        AttentionShape.softCap(scratch, logits, n, softCap);
        int nv = n - n % L;
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < nv; j += L) {
            maxV = maxV.max(FloatVector.fromArray(F, scratch, logits + j));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (int j = nv; j < n; j++) {
            max = Math.max(max, scratch[logits + j]);
        }
        Simd.exp(scratch, logits, logits + n, max, FLUSH_BELOW);
        FloatVector sumV = FloatVector.zero(F);
        for (int j = 0; j < nv; j += L) {
            sumV = sumV.add(FloatVector.fromArray(F, scratch, logits + j));
        }
        float sum = Simd.sumLanes(sumV);
        for (int j = nv; j < n; j++) {
            sum += scratch[logits + j];
        }
        divide(scratch, logits, n, sum);                          // the probabilities, as jax.nn.softmax returns them
    }

    /**
     * {@code a[off + i] /= divisor} for i < n: vector division rounds each lane exactly as the scalar
     * one does (IEEE), at a fraction of its cost (a scalar divide per probability was a third of the
     * softmax).
     */
    static void divide(float[] a, int off, int n, float divisor) {
        int nv = n - n % L;
        for (int i = 0; i < nv; i += L) {
            FloatVector.fromArray(F, a, off + i).div(divisor).intoArray(a, off + i);
        }
        for (int i = nv; i < n; i++) {
            a[off + i] = a[off + i] / divisor;
        }
    }
}
