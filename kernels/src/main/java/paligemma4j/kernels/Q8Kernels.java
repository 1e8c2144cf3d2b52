package paligemma4j.kernels;

import static paligemma4j.kernels.Simd.F;
import static paligemma4j.kernels.Simd.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels over {@link Q8} weights: int8 widened to float32 in registers and multiplied
 * by the block scale; float32 accumulation. Each output's sum runs in an order fixed by the shapes
 * alone, so results do not depend on how the caller splits the work over threads.
 */
final class Q8Kernels {
    private Q8Kernels() {}

    /** L bytes: widened to one FloatVector of L lanes. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private static FloatVector widen(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at, Simd.LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * {@code acc[accOff + o − c0] = Σ_i x[xOff + i] · W[i, o]} for o in [c0, c0 + n): W {@code [in, out]}
     * input-first Q8_0; c0 a multiple of {@link Q8#BLOCK}.
     */
    static void matvec(float[] x, int xOff, int in, MemorySegment w, int out, int c0, int n, float[] acc, int accOff) {
        java.util.Arrays.fill(acc, accOff, accOff + n, 0f);
        long rowBytes = Q8.rowBytes(out);
        long valuesAt = 2L * Q8.blocks(out);
        int c1 = c0 + n;
        int i = 0;
        for (; i + 4 <= in; i += 4) {            // four W rows per pass: a quarter of the acc traffic
            long r0 = i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            float x0 = x[xOff + i], x1 = x[xOff + i + 1], x2 = x[xOff + i + 2], x3 = x[xOff + i + 3];
            for (int b0 = c0; b0 < c1; b0 += Q8.BLOCK) {
                long sb = 2L * (b0 / Q8.BLOCK);
                float f0 = x0 * Float.float16ToFloat(w.get(Weight.I16, r0 + sb));
                float f1 = x1 * Float.float16ToFloat(w.get(Weight.I16, r1 + sb));
                float f2 = x2 * Float.float16ToFloat(w.get(Weight.I16, r2 + sb));
                float f3 = x3 * Float.float16ToFloat(w.get(Weight.I16, r3 + sb));
                int b1 = Math.min(c1, b0 + Q8.BLOCK);
                int c = b0;
                if (b1 - b0 == Q8.BLOCK) {
                    FloatVector s0 = FloatVector.broadcast(F, f0), s1 = FloatVector.broadcast(F, f1);
                    FloatVector s2 = FloatVector.broadcast(F, f2), s3 = FloatVector.broadcast(F, f3);
                    for (; c < b1; c += L) {
                        int a = accOff + c - c0;
                        long v = valuesAt + c;
                        FloatVector sum = FloatVector.fromArray(F, acc, a);
                        sum = widen(w, r0 + v).fma(s0, sum);
                        sum = widen(w, r1 + v).fma(s1, sum);
                        sum = widen(w, r2 + v).fma(s2, sum);
                        sum = widen(w, r3 + v).fma(s3, sum);
                        sum.intoArray(acc, a);
                    }
                }
                for (; c < b1; c++) {
                    long v = valuesAt + c;
                    float a = acc[accOff + c - c0];
                    a = Math.fma(f0, w.get(ValueLayout.JAVA_BYTE, r0 + v), a);
                    a = Math.fma(f1, w.get(ValueLayout.JAVA_BYTE, r1 + v), a);
                    a = Math.fma(f2, w.get(ValueLayout.JAVA_BYTE, r2 + v), a);
                    a = Math.fma(f3, w.get(ValueLayout.JAVA_BYTE, r3 + v), a);
                    acc[accOff + c - c0] = a;
                }
            }
        }
        for (; i < in; i++) {                    // the last rows one at a time, in the same order
            float xi = x[xOff + i];
            long row = i * rowBytes;
            for (int b0 = c0; b0 < c1; b0 += Q8.BLOCK) {
                float f = xi * Float.float16ToFloat(w.get(Weight.I16, row + 2L * (b0 / Q8.BLOCK)));
                int b1 = Math.min(c1, b0 + Q8.BLOCK);
                int c = b0;
                if (b1 - b0 == Q8.BLOCK) {
                    FloatVector s = FloatVector.broadcast(F, f);
                    for (; c < b1; c += L) {
                        int a = accOff + c - c0;
                        widen(w, row + valuesAt + c).fma(s, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
                    }
                }
                for (; c < b1; c++) {
                    acc[accOff + c - c0] = Math.fma(f, w.get(ValueLayout.JAVA_BYTE, row + valuesAt + c), acc[accOff + c - c0]);
                }
            }
        }
    }

    /**
     * {@code y[yOff + o − o0] = Σ_j x[xOff + j] · W[o, j]} for o in [o0, o1): W {@code [n, width]}
     * output-first Q8_0 (the unembedding), blocks along the reduction; per row one lane-wise sum
     * then one horizontal sum in lane order.
     */
    static void dot(float[] x, int xOff, int width, MemorySegment w, int o0, int o1, float[] y, int yOff) {
        long rowBytes = Q8.rowBytes(width);
        long valuesAt = 2L * Q8.blocks(width);
        int full = width / Q8.BLOCK * Q8.BLOCK;
        float[] lanes = new float[L];
        for (int o = o0; o < o1; o++) {
            long row = o * rowBytes;
            FloatVector acc = FloatVector.zero(F);
            for (int b0 = 0; b0 < full; b0 += Q8.BLOCK) {
                FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Weight.I16, row + 2L * (b0 / Q8.BLOCK))));
                for (int c = b0; c < b0 + Q8.BLOCK; c += L) {
                    acc = widen(w, row + valuesAt + c).mul(d).fma(FloatVector.fromArray(F, x, xOff + c), acc);
                }
            }
            acc.intoArray(lanes, 0);
            float sum = 0f;
            for (int l = 0; l < L; l++) sum += lanes[l];
            if (full < width) {
                float d = Float.float16ToFloat(w.get(Weight.I16, row + 2L * (full / Q8.BLOCK)));
                for (int c = full; c < width; c++) {
                    sum = Math.fma(x[xOff + c], d * w.get(ValueLayout.JAVA_BYTE, row + valuesAt + c), sum);
                }
            }
            y[yOff + o - o0] = sum;
        }
    }

    /**
     * Columns [n0, n0 + nc) of every row of Q8_0 W {@code [in, out]} widened to float32, row-major
     * {@code [in, nc]} little-endian in {@code dst} (the input of the float32 GEMM).
     */
    static void dequantize(MemorySegment w, int in, int out, int n0, int nc, MemorySegment dst) {
        long rowBytes = Q8.rowBytes(out);
        long valuesAt = 2L * Q8.blocks(out);
        for (int i = 0; i < in; i++) {
            long row = i * rowBytes;
            long to = (long) i * nc * 4;
            for (int c = n0; c < n0 + nc; c++) {
                float d = Float.float16ToFloat(w.get(Weight.I16, row + 2L * (c / Q8.BLOCK)));
                dst.set(Weight.F32, to + 4L * (c - n0), d * w.get(ValueLayout.JAVA_BYTE, row + valuesAt + c));
            }
        }
    }
}
