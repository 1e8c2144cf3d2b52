package paligemma4j.kernels;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The element-wise operations of {@link JvmOps} against {@link NaiveOps}: tanh GELU, GeGLU,
 * residual add and scaling, on lengths below one vector, with vector tails, and above the
 * parallel cut-off (SigLIP 256 × 4304, Gemma 16384).
 *
 * <p>add and scale are single roundings in both backends: bit-identical. GELU: the fast path
 * uses the vector tanh (Intel SVML via the JDK, a few ulp) where the reference rounds
 * {@code Math.tanh}; an error of k·ulp(1) in tanh moves {@code cdf = 0.5·(1 + tanh)} by
 * ≤ k·2^-24 absolutely, hence {@code |Δgelu| ≤ |x|·k·2^-24 + 2·ulp(gelu)}; we allow k = 4.
 */
class ElementwiseTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    private static double geluTolerance(float x, float y) {
        return Math.abs(x) * 4 * TestData.U + 2 * Math.ulp(y) + 1e-30;
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 3, 7, 8, 17, 33, 257, 16384, 256 * 4304 + 3})
    void geluMatchesNaive(int n) {
        float[] x = TestData.uniform(n, n, -12f, 12f);
        if (n > 3) {
            x[0] = 0f;
            x[1] = -0f;
            x[2] = 1e-30f;
        }
        float[] expected = x.clone(), actual = x.clone();
        NAIVE.gelu(expected, n);
        FAST.gelu(actual, n);
        Close.allClose(actual, expected, 0, n, i -> geluTolerance(x[i], expected[i]), "gelu");
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 5, 16, 31, 2048, 16384, 3 * 16384 + 1})
    void geluGateMatchesNaive(int n) {
        float[] gate = TestData.uniform(n + 1, n, -6f, 6f), up = TestData.uniform(n + 2, n, -3f, 3f);
        float[] expected = gate.clone(), actual = gate.clone();
        NAIVE.geluGate(expected, up, n);
        FAST.geluGate(actual, up, n);
        Close.allClose(actual, expected, 0, n,
                i -> geluTolerance(gate[i], expected[i]) * (Math.abs(up[i]) + 1) + 2 * Math.ulp(expected[i]), "geluGate");
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 9, 2048, 256 * 1152 + 5})
    void addAndScaleAreExact(int n) {
        float[] x = TestData.uniform(3L * n, n + 4, -5f, 5f), y = TestData.uniform(5L * n, n, -5f, 5f);
        float[] expected = x.clone(), actual = x.clone();
        NAIVE.add(expected, y, n);
        FAST.add(actual, y, n);
        Close.identical(actual, expected, "add/scale");
        NAIVE.scale(expected, 2, n, 45.254833f);
        FAST.scale(actual, 2, n, 45.254833f);
        Close.identical(actual, expected, "add/scale");
    }

    @org.junit.jupiter.api.Test
    void geluAtExtremes() {
        float[] x = {-1e20f, -1e4f, -100f, -30f, -9.5f, -1e-20f, 1e-20f, 9.5f, 30f, 100f, 1e4f, 1e20f, 3f, -3f, 0.5f, -0.5f, 7f};
        float[] expected = x.clone(), actual = x.clone();
        NAIVE.gelu(expected, x.length);
        FAST.gelu(actual, x.length);
        Close.allClose(actual, expected, 0, x.length, i -> geluTolerance(x[i], expected[i]), "gelu extremes");
    }
}
