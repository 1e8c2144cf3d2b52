package paligemma4j.kernels.tornado;

import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static paligemma4j.kernels.tornado.Random16.U;
import static paligemma4j.kernels.tornado.Random16.maxAbsDiff;
import static paligemma4j.kernels.tornado.Random16.uniform;
import static paligemma4j.kernels.tornado.Random16.weight;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * Every {@link TornadoOps} operation, run as a TornadoVM kernel on the default device (PoCL here) with
 * bailout disabled, against {@link NaiveOps} on random inputs: PaliGemma's real widths (72, 256, 1152,
 * 2048; fewer rows where the naive loop is slow) and odd sizes (1, 3, 17, 33, 257 ...).
 *
 * <p>Tolerances. The kernels sum in the naive loop's order, so what differs is the device's float
 * rounding: OpenCL may contract {@code a·b + c} into an FMA, and its {@code sqrt}, {@code exp},
 * {@code tanh}, {@code cos}, {@code sin} are within a few ulp where the reference rounds the double
 * result once. A sum of n products then differs by at most {@code 2·n·u·Σ|terms|} (u = 2^-24, the
 * γ_n bound applied to both); element-wise functions by a few ulp of their value, checked as
 * {@code 8·u·(1 + |value|)}; softmax-weighted sums inherit the exp error relative to the magnitude
 * of V. A wrong index or decode is the size of a whole term, far above every bound.
 */
class TornadoOpsTest {

    static final NaiveOps NAIVE = new NaiveOps();
    static final TornadoOps OPS = new TornadoOps();

    @AfterAll
    static void close() {
        OPS.close();
    }

    static List<Arguments> matmulShapes() {
        int[][] sizes = {
                {1, 2048, 256}, {3, 1152, 72}, {2, 72, 1152}, {1, 256, 2048},
                {1, 1, 1}, {1, 3, 17}, {1, 17, 3}, {2, 33, 31}, {3, 257, 33}, {5, 31, 257}, {17, 33, 17},
        };
        List<Arguments> args = new ArrayList<>();
        for (int[] s : sizes) {
            for (WeightType t : WeightType.values()) {
                if (t != WeightType.Q8_0) args.add(Arguments.of(s[0], s[1], s[2], t));   // no device kernel: see below
            }
        }
        return args;
    }

    /** Bound 2·n·u·Σ|x_i w_i| per output (+ u·|bias|), as in the class comment. */
    static double[] dotBound(float[] x, int rows, int in, int out,
                             Weight w, boolean transposed) {
        double[] b = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += Math.abs((double) x[r * in + i] * (transposed ? w.get(o, i) : w.get(i, o)));
                }
                b[r * out + o] = 2 * in * U * s + 4 * U;
            }
        }
        return b;
    }

    @ParameterizedTest(name = "[{0}, {1}] x [{1}, {2}] {3}")
    @MethodSource("matmulShapes")
    void matmul(int rows, int in, int out, WeightType type) {
        Weight w = weight(31L * in + out, in, out, type);
        float[] x = uniform(rows + 7L * in, rows * in, -1f, 1f);
        float[] bias = uniform(5, out + 3, -1f, 1f);
        // y has a stride and an offset, and must keep what lies outside the written block
        int yStride = out + 5, yOff = 2;
        float[] expected = uniform(9, rows * yStride + yOff, -9f, 9f), actual = expected.clone();
        NAIVE.matmul(x, rows, w, bias, 3, expected, yOff, yStride);
        OPS.matmul(x, rows, w, bias, 3, actual, yOff, yStride);
        double[] bound = dotBound(x, rows, in, out, w, false);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                int i = r * yStride + yOff + o;
                assertThat((double) Math.abs(actual[i] - expected[i])).as("y[%d, %d]", r, o)
                        .isLessThanOrEqualTo(bound[r * out + o] + U * 2);
            }
        }
        assertThat(actual[0]).isEqualTo(expected[0]);
        assertThat(actual[yOff + out]).isEqualTo(expected[yOff + out]);
        // a second call with other rows reuses the cached weight and plan
        float[] x2 = uniform(77, in, -1f, 1f), e2 = new float[out], a2 = new float[out];
        NAIVE.matmul(x2, 1, w, null, 0, e2, 0, out);
        OPS.matmul(x2, 1, w, null, 0, a2, 0, out);
        assertThat(maxAbsDiff(a2, e2)).isLessThanOrEqualTo(2 * in * U * in + 4 * U);
    }

    /**
     * An output-first weight (Hugging Face's {@code [out, in]}) is transposed once into its device copy: its products
     * are those of the same values stored input-first, bit for bit (the same device data and kernel).
     */
    @ParameterizedTest(name = "[{0}, {1}] x [{1}, {2}] {3}")
    @MethodSource("matmulShapes")
    void outputFirstWeightsGiveTheInputFirstProducts(int rows, int in, int out, WeightType type) {
        Weight stored = weight(13L * in + out, out, in, type);
        Weight outputFirst = Weight.outputFirst(stored.data(), type, out, in);
        Weight inputFirst = outputFirst.inputFirst(Arena.ofAuto());
        float[] x = uniform(rows + 3L * in, rows * in, -1f, 1f);
        float[] bias = uniform(6, out + 3, -1f, 1f);
        float[] expected = new float[rows * out], actual = new float[rows * out];
        OPS.matmul(x, rows, inputFirst, bias, 3, expected, 0, out);
        OPS.matmul(x, rows, outputFirst, bias, 3, actual, 0, out);
        assertThat(actual).containsExactly(expected);
    }

    @Test
    void q8WeightsAreRefusedPerOpWithOneLine() {
        Weight q8 = Q8.quantize(weight(3, 64, 8, WeightType.F32), Arena.ofAuto());
        assertThat(OPS.supports(WeightType.Q8_0)).as("the tower graphs take Q8_0").isTrue();
        assertThatThrownBy(() -> OPS.matmul(new float[64], 1, q8, null, 0, new float[8], 0, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TornadoVM backend: Q8_0 weight [64, 8] has no per-op device kernel (only the whole-tower "
                        + "graphs take Q8_0); use f32, bf16 or f16 weights (or --backend jvm)");
    }

    @ParameterizedTest(name = "[{0}, {1}] x [{2}, {1}]ᵀ {3}")
    @MethodSource("matmulShapes")
    void matmulTransposed(int rows, int width, int vocab, WeightType type) {
        Weight e = weight(17L * width + vocab, vocab, width, type);
        int xStride = width + 3, xOff = 1;
        float[] x = uniform(3 + width, rows * xStride + xOff, -1f, 1f);
        float[] compact = new float[rows * width];
        for (int r = 0; r < rows; r++) System.arraycopy(x, xOff + r * xStride, compact, r * width, width);
        int yStride = vocab + 2;
        float[] expected = new float[rows * yStride], actual = new float[rows * yStride];
        NAIVE.matmulTransposed(x, xOff, xStride, rows, e, expected, 1, yStride);
        OPS.matmulTransposed(x, xOff, xStride, rows, e, actual, 1, yStride);
        double[] bound = dotBound(compact, rows, width, vocab, e, true);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < vocab; o++) {
                int i = r * yStride + 1 + o;
                assertThat((double) Math.abs(actual[i] - expected[i])).as("y[%d, %d]", r, o)
                        .isLessThanOrEqualTo(bound[r * vocab + o]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 72, 257, 1152, 2048})
    void norms(int width) {
        int rows = width > 1000 ? 3 : 5;
        float[] x = uniform(width, rows * width + 4, -3f, 3f);
        float[] scale = uniform(2, width, -1f, 1f), bias = uniform(3, width, -1f, 1f);
        float[] e = new float[rows * width], a = new float[rows * width];
        NAIVE.layerNorm(x, rows, width, scale, bias, 1e-6f, e);
        OPS.layerNorm(x, rows, width, scale, bias, 1e-6f, a);
        // μ, var: sums of ≤ width terms of size ≤ 9 → relative error ≤ 2·width·u in var, then |(x−μ)·inv| ≲ √width
        double bound = 16 * width * U * (1 + Math.sqrt(width));
        assertThat(maxAbsDiff(a, e)).as("layerNorm").isLessThanOrEqualTo(bound);
        float[] er = new float[rows * width + 2], ar = new float[rows * width + 2];
        NAIVE.rmsNorm(x, 4, rows, width, scale, 1e-6f, er, 2);
        OPS.rmsNorm(x, 4, rows, width, scale, 1e-6f, ar, 2);
        assertThat(maxAbsDiff(ar, er)).as("rmsNorm").isLessThanOrEqualTo(bound);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 257, 4304, 16384 * 3 + 1})
    void elementwise(int n) {
        float[] x = uniform(n, n, -6f, 6f), y = uniform(n + 1, n, -2f, 2f);
        float[] e = x.clone(), a = x.clone();
        NAIVE.gelu(e, n);
        OPS.gelu(a, n);
        assertUlps("gelu", a, e);
        e = x.clone();
        a = x.clone();
        NAIVE.geluGate(e, y, n);
        OPS.geluGate(a, y, n);
        assertUlps("geluGate", a, e);
        e = x.clone();
        a = x.clone();
        NAIVE.add(e, y, n);
        OPS.add(a, y, n);
        assertThat(a).as("add").containsExactly(e);
        float[] padded = uniform(n + 9, n + 3, -6f, 6f), pe = padded.clone();
        NAIVE.scale(pe, 2, n, 0.0625f * 3);
        OPS.scale(padded, 2, n, 0.0625f * 3);
        assertThat(padded).as("scale").containsExactly(pe);
    }

    static void assertUlps(String what, float[] a, float[] e) {
        for (int i = 0; i < a.length; i++) {
            assertThat((double) Math.abs(a[i] - e[i])).as("%s[%d]: %s vs %s", what, i, a[i], e[i])
                    .isLessThanOrEqualTo(8 * U * (1 + Math.abs(e[i])));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 16, 24, 72, 256})
    void rope(int headDim) {
        int rows = 7, heads = 3, stride = heads * headDim + 4;
        int[] positions = {0, 1, 2, 17, 255, 256, 300};
        float[] x = uniform(headDim, rows * stride, -2f, 2f), e = x.clone(), a = x.clone();
        NAIVE.rope(e, rows, stride, heads, headDim, positions, 10_000f);
        OPS.rope(a, rows, stride, heads, headDim, positions, 10_000f);
        // θ identical; cos/sin within a few ulp of 1 → |Δ| ≤ 8u·(|a| + |b|) per output
        assertThat(maxAbsDiff(a, e)).isLessThanOrEqualTo(8 * U * 4 * 2);
    }

    static List<Arguments> attentionShapes() {
        return List.of(
                // rows, heads, kvHeads, headDim, keys, prefix-LM mask?
                Arguments.of(1, 8, 1, 256, 300, false),   // Gemma decode step
                Arguments.of(9, 8, 1, 256, 9, true),      // Gemma prefill (prefix 5 of 9)
                Arguments.of(7, 16, 16, 72, 7, false),    // SigLIP, full attention
                Arguments.of(5, 4, 2, 16, 5, true),       // grouped K/V
                Arguments.of(3, 3, 1, 17, 11, false),     // odd
                Arguments.of(1, 1, 1, 1, 1, false));
    }

    @ParameterizedTest(name = "rows {0}, heads {1}/{2} × {3}, keys {4}, prefix {5}")
    @MethodSource("attentionShapes")
    void attention(int rows, int heads, int kvHeads, int headDim, int keys, boolean prefix) {
        int qStride = heads * headDim + 3, kvStride = kvHeads * headDim + 1, outStride = heads * headDim + 2;
        float[] q = uniform(rows + headDim, rows * qStride, -2f, 2f);
        float[] k = uniform(11 + keys, keys * kvStride, -2f, 2f), v = uniform(13 + keys, keys * kvStride, -1f, 1f);
        int[] visible = new int[rows];
        for (int r = 0; r < rows; r++) {
            visible[r] = prefix ? Math.max(5, keys - rows + r + 1) : keys;
        }
        float[] e = uniform(4, rows * outStride, -9f, 9f), a = e.clone();
        NAIVE.attention(new AttentionShape(heads, kvHeads, headDim, 16f), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(e, 0, outStride));
        OPS.attention(new AttentionShape(heads, kvHeads, headDim, 16f), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(a, 0, outStride));
        // logits: sums of headDim terms ≤ 4/16 each; exp adds a few ulp; output is a convex mix of |v| ≤ 1
        double logitErr = 2 * headDim * U * headDim * 0.25;
        assertThat(maxAbsDiff(a, e)).isLessThanOrEqualTo(2 * logitErr + 16 * U * keys);
    }

    /** Gemma 2's attention-logit soft-cap c·tanh(l/c), small enough to bite (logits reach ±16 here). */
    @ParameterizedTest(name = "rows {0}, heads {1}/{2} × {3}, keys {4}, cap {5}")
    @org.junit.jupiter.params.provider.CsvSource({"1, 8, 4, 32, 40, 2", "6, 4, 2, 16, 6, 0.5"})
    void attentionSoftCap(int rows, int heads, int kvHeads, int headDim, int keys, float cap) {
        int qStride = heads * headDim, kvStride = kvHeads * headDim;
        float[] q = uniform(rows + 7, rows * qStride, -2f, 2f);
        float[] k = uniform(17 + keys, keys * kvStride, -2f, 2f), v = uniform(19 + keys, keys * kvStride, -1f, 1f);
        int[] visible = new int[rows];
        for (int r = 0; r < rows; r++) visible[r] = keys - rows + r + 1;
        float[] e = new float[rows * qStride], a = new float[rows * qStride], off = new float[rows * qStride];
        NAIVE.attention(new AttentionShape(heads, kvHeads, headDim, 1f, cap), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(e, 0, qStride));
        OPS.attention(new AttentionShape(heads, kvHeads, headDim, 1f, cap), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(a, 0, qStride));
        NAIVE.attention(new AttentionShape(heads, kvHeads, headDim, 1f), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(off, 0, qStride));
        assertThat(maxAbsDiff(a, e)).isLessThanOrEqualTo(2e-5);
        assertThat(maxAbsDiff(off, e)).as("the cap bites").isGreaterThan(1e-2);
    }

    @Test
    void argmax() {
        for (int n : new int[] {1, 2, 3, 127, 128, 129, 257, 2176, 257_152 / 16}) {
            float[] x = uniform(n, n + 5, -1f, 1f);
            assertThat(OPS.argmax(x, 3, n)).as("n=%d", n).isEqualTo(NAIVE.argmax(x, 3, n));
        }
        // ties → lowest index, also across work-items
        float[] ties = new float[1000];
        Arrays.fill(ties, -5f);
        ties[700] = 2f;
        ties[300] = 2f;
        ties[301] = 2f;
        assertThat(OPS.argmax(ties, 0, 1000)).isEqualTo(300);
        Arrays.fill(ties, Float.NEGATIVE_INFINITY);
        assertThat(OPS.argmax(ties, 0, 1000)).isZero();
    }

    @Test
    void probeProvesNoFallback() {
        assertThat(System.getProperty("tornado.recover.bailout")).isEqualToIgnoringCase("false");
        assertThat(FallbackProbe.ranOnDevice(OPS.device())).isTrue();
    }
}
