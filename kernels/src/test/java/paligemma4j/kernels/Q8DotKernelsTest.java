package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The int8-activation Q8_0 products: {@link Q8Activations} within its error bound, {@link Q8DotKernels#dot}
 * bit for bit equal to a scalar loop in the documented order (exact int block sums, then the lane and block
 * order), and within the activation-quantization bound of the float32 product of the weights as stored
 * ({@link Weight#get}).
 */
class Q8DotKernelsTest {

    private static final int L = Q8DotKernels.L;

    private static float scale(Weight w, int r, int b) {
        return Float.float16ToFloat(w.data().get(Weight.I16, r * Q8.rowBytes(w.cols()) + 2L * b));
    }

    private static byte q(Weight w, int r, int c) {
        return w.data().get(ValueLayout.JAVA_BYTE, r * Q8.rowBytes(w.cols()) + 2L * Q8.blocks(w.cols()) + c);
    }

    /** Reference of {@link Q8DotKernels#dot} for row o, in its documented order. */
    private static float dotReference(short[] qx, float[] dx, Weight w, int o) {
        int width = w.cols(), nb = Q8.blocks(width);
        int full = Q8DotKernels.VECTOR ? width / Q8.BLOCK : 0;
        float[] lanes = new float[L];
        for (int b = 0; b < full; b++) {
            float s = scale(w, o, b) * dx[b];
            for (int l = 0; l < L; l++) {
                int t = 0;
                for (int k = b * Q8.BLOCK; k < (b + 1) * Q8.BLOCK; k += 2 * L) {
                    t += q(w, o, k + 2 * l) * qx[k + 2 * l] + q(w, o, k + 2 * l + 1) * qx[k + 2 * l + 1];
                }
                lanes[l] = Math.fma((float) (t << Q8DotKernels.PAIR_SHIFT), s, lanes[l]);
            }
        }
        float sum = 0f;
        if (full > 0) {
            sum = lanes[0];
            for (int l = 1; l < L; l++) sum += lanes[l];
            sum *= 1f / (1 << Q8DotKernels.PAIR_SHIFT);
        }
        for (int b = full; b < nb; b++) {
            int t = 0;
            for (int c = b * Q8.BLOCK; c < Math.min(width, (b + 1) * Q8.BLOCK); c++) t += q(w, o, c) * qx[c];
            sum = Math.fma((float) t, scale(w, o, b) * dx[b], sum);
        }
        return sum;
    }

    @Test
    void activationsStayWithinHalfAStep() {
        float[] x = TestData.uniform(5, 2 * Q8.BLOCK + 7, -3f, 3f);
        java.util.Arrays.fill(x, Q8.BLOCK, 2 * Q8.BLOCK, 0f);          // an all-zero block
        x[3] = 2.5e-3f;
        x[5] = -7.25f;                                                   // the first block's largest |x|
        int nb = Q8.blocks(x.length);
        short[] q = new short[x.length];
        float[] d = new float[nb];
        Q8Activations.quantize(x, 0, x.length, q, 0, d, 0);
        assertThat(d[0]).isEqualTo(7.25f / 127f);
        assertThat(q[5]).isEqualTo((short) -127);
        assertThat(d[1]).isZero();
        for (int c = 0; c < x.length; c++) {
            float step = d[c / Q8.BLOCK];
            assertThat((int) q[c]).as("q[%d]", c).isBetween(-127, 127);
            assertThat((double) Math.abs(x[c] - step * q[c])).as("x[%d]", c).isLessThanOrEqualTo(step * 0.5000001 + 1e-30);
        }
    }

    @Test
    void nonFiniteActivationsAreNamed() {
        float[] x = new float[70];
        x[40] = Float.NaN;
        assertThatThrownBy(() -> Q8Activations.quantize(x, 0, 70, new short[70], 0, new float[3], 0))
                .hasMessage("int8 activations: block 1 holds a non-finite value");
    }

    @Test
    void dotEqualsTheScalarReference() {
        int[][] shapes = {{1, 1}, {1, 32}, {7, 77}, {9, 64}, {4, 31}, {13, 300}, {6, 2048 + 5}, {3, 2048}};
        for (int[] s : shapes) {
            int n = s[0], width = s[1], nb = Q8.blocks(width);
            Weight w = TestData.weight(n * 7919L + width, n, width, WeightType.Q8_0);
            float[] x = TestData.uniform(width + 1, width + 2, -3f, 3f);
            short[] qx = new short[width + 2];
            float[] dx = new float[nb + 1];
            Q8Activations.quantize(x, 2, width, qx, 2, dx, 1);
            short[] q0 = java.util.Arrays.copyOfRange(qx, 2, 2 + width);
            float[] d0 = java.util.Arrays.copyOfRange(dx, 1, 1 + nb);
            int scratch = Q8DotKernels.scratchFloats(width);
            for (int[] range : new int[][] {{0, n}, {n / 2, n}}) {
                int o0 = range[0], o1 = range[1];
                float[] y = new float[o1 - o0 + 1];
                Q8DotKernels.dot(qx, 2, dx, 1, width, w.data(), o0, o1, y, 1, new short[scratch], new float[scratch]);
                for (int o = o0; o < o1; o++) {
                    assertThat(y[1 + o - o0]).as("W [%d, %d] row %d", n, width, o).isEqualTo(dotReference(q0, d0, w, o));
                }
                assertThat(y[0]).isZero();
            }
        }
    }

    /** The largest products (127 · 127 in every lane of every step) stay exact: no int16 or int32 sum overflows. */
    @Test
    void extremeValuesDoNotOverflow() {
        int n = 2, width = 4 * Q8.BLOCK, nb = Q8.blocks(width);
        float[] v = new float[n * width];
        for (int i = 0; i < v.length; i++) v[i] = i < width ? 1f : (i % 2 == 0 ? -3f : 3f);
        Weight w = Q8.quantize(Weight.of(v, n, width), java.lang.foreign.Arena.ofAuto());
        float[] x = new float[width];
        for (int i = 0; i < width; i++) x[i] = i % 2 == 0 ? -0.5f : 0.5f;
        short[] qx = new short[width];
        float[] dx = new float[nb];
        Q8Activations.quantize(x, 0, width, qx, 0, dx, 0);
        float[] y = new float[n];
        Q8DotKernels.dot(qx, 0, dx, 0, width, w.data(), 0, n, y, 0, new short[nb], new float[nb]);
        double d0 = scale(w, 0, 0) * dx[0], d1 = scale(w, 1, 0) * dx[0];
        assertThat((double) y[0]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-6));     // +127·±127 cancels
        assertThat((double) y[1]).isCloseTo(width * 127 * 127 * d1, org.assertj.core.data.Offset.offset(1e-5 * width * 127 * 127 * d1));
        assertThat(d0).isPositive();
    }

    /**
     * Against the float32 product of the stored weights: each activation moves by at most half its block's step
     * d_b = max|x_b|/127, so |Δy_o| ≤ Σ_i |w_oi|·d_b(i)/2, plus float32 rounding of sums of 2048 terms.
     */
    @Test
    void dotIsWithinTheActivationBoundOfTheFloatProduct() {
        int n = 40, width = 2048 + 17, nb = Q8.blocks(width);
        Weight w = TestData.weight(77, n, width, WeightType.Q8_0);
        float[] x = TestData.uniform(78, width, -2f, 2f);
        short[] qx = new short[width];
        float[] dx = new float[nb];
        Q8Activations.quantize(x, 0, width, qx, 0, dx, 0);
        float[] y = new float[n];
        int scratch = Q8DotKernels.scratchFloats(width);
        Q8DotKernels.dot(qx, 0, dx, 0, width, w.data(), 0, n, y, 0, new short[scratch], new float[scratch]);
        for (int o = 0; o < n; o++) {
            double exact = 0, bound = 0, absSum = 0;
            for (int i = 0; i < width; i++) {
                double wi = w.get(o, i);
                exact += wi * x[i];
                bound += Math.abs(wi) * dx[i / Q8.BLOCK] / 2;
                absSum += Math.abs(wi * x[i]);
            }
            Close.check(y[o], (float) exact, bound * 1.0001 + 2 * width * TestData.U * absSum, "y[%d]", o);
            assertThat(Math.abs(y[o] - exact)).as("y[%d] moved", o).isGreaterThan(0);
        }
    }
}
