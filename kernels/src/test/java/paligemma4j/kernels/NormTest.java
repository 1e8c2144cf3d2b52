package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link JvmOps#layerNorm} and {@link JvmOps#rmsNorm} against {@link NaiveOps}: SigLIP (1152) and
 * Gemma (2048) widths at real token counts, odd widths, rows below and above the parallel cut-off.
 *
 * <p>Tolerance. The fast kernels sum Σx and Σx² in another order: each sum of n terms differs by
 * at most {@code 2·n·u·Σ|·|} (u = 2^-24). For RMSNorm, {@code ms} then has relative error
 * ≤ 2nu, so {@code 1/sqrt(ms+eps)} has ≤ nu + 2u, and {@code y} relative error ≤ (n + 6)·u.
 * For LayerNorm, μ has absolute error ≤ 2nu·E|x|, and {@code var = E[x²] − μ²} absolute error
 * ≤ 2nu·E[x²] + 2|μ|·2nu·E|x| + 2u·E[x²] — relative to var that is amplified by E[x²]/var (the
 * cancellation of the fast variance formula); rsqrt halves it. Then
 * {@code |Δy| ≤ |y − bias|·(Δvar/(2·var) + 4u) + |Δμ|·|mul| + u·|y|}.
 */
class NormTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    @ParameterizedTest(name = "layerNorm [{0}, {1}] mean {2}")
    @CsvSource({"256, 1152, 0.3", "1, 1152, 0", "3, 4304, 2", "1024, 33, 5", "7, 17, 0", "2, 1, 1", "40, 257, 50", "5, 2048, 0.1"})
    void layerNormMatchesNaive(int rows, int width, float mean) {
        long seed = rows * 1000L + width;
        float[] x = TestData.uniform(seed, rows * width, mean - 3f, mean + 3f);
        float[] scale = TestData.uniform(seed + 1, width, 0.5f, 2f);
        float[] bias = TestData.uniform(seed + 2, width, -1f, 1f);
        float eps = 1e-6f;
        float[] expected = new float[rows * width], actual = new float[rows * width];
        NAIVE.layerNorm(x, rows, width, scale, bias, eps, expected);
        FAST.layerNorm(x, rows, width, scale, bias, eps, actual);
        for (int r = 0; r < rows; r++) {
            double sAbs = 0, sSq = 0, s = 0;
            for (int i = 0; i < width; i++) {
                double v = x[r * width + i];
                sAbs += Math.abs(v);
                sSq += v * v;
                s += v;
            }
            double mu = s / width, meanAbs = sAbs / width, meanSq = sSq / width;
            double var = Math.max(meanSq - mu * mu, 0) + eps;
            double dMu = 2 * width * TestData.U * meanAbs;
            double dVar = 2 * width * TestData.U * meanSq + 2 * Math.abs(mu) * dMu + 2 * TestData.U * meanSq;
            double mulMax = 1 / Math.sqrt(var);
            for (int i = 0; i < width; i++) {
                int at = r * width + i;
                double yNoBias = Math.abs(expected[at] - bias[i]);
                double tol = yNoBias * (dVar / (2 * var) + 4 * TestData.U) + dMu * mulMax * scale[i]
                        + TestData.U * Math.abs(expected[at]) + 1e-30;
                Close.check(actual[at], expected[at], tol, "y[%d, %d]", r, i);
            }
        }
    }

    @ParameterizedTest(name = "rmsNorm [{0}, {1}]")
    @CsvSource({"266, 2048", "1, 2048", "1, 1152", "3, 31", "9, 1", "2, 17", "100, 257"})
    void rmsNormMatchesNaive(int rows, int width) {
        long seed = rows * 77L + width;
        int xOff = 3, yOff = 5;
        float[] x = TestData.uniform(seed, rows * width + xOff, -4f, 4f);
        float[] scale = TestData.uniform(seed + 1, width, -0.5f, 0.5f);
        float[] expected = new float[rows * width + yOff], actual = new float[rows * width + yOff];
        NAIVE.rmsNorm(x, xOff, rows, width, scale, 1e-6f, expected, yOff);
        FAST.rmsNorm(x, xOff, rows, width, scale, 1e-6f, actual, yOff);
        for (int i = yOff; i < expected.length; i++) {
            double tol = (width + 6) * TestData.U * Math.abs(expected[i]) + 1e-30;
            Close.check(actual[i], expected[i], tol, "y[%d]", i - yOff);
        }
    }
}
