package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link JvmOps#attention} against {@link NaiveOps}: SigLIP (256 tokens, 16 heads of 72, full
 * visibility, q/√72), Gemma prefill (8 heads of 256 sharing 1 KV head, prefix-LM visibility)
 * and decode (1 row over 300 cached keys), and odd head counts/sizes with a row that sees
 * nothing.
 *
 * <p>Tolerance. A logit is a d = headDim float32 dot product: |Δl| ≤ 2·d·u·Σ|q̂_i k_i| (u = 2^-24,
 * q̂ = q/qDivisor, itself within u). Max-subtraction is exact up to u·|l|; exp (vector SVML vs
 * {@code Math.exp}) adds a few ulp; the sum of n weights ≤ 2·n·u relative. Each probability is
 * thus within a relative δ = 2·d·u·maxQK + 4·u·maxAbsLogit + (2n + 8)·u, and each output
 * {@code Σ p_j v_j} within {@code δ·Σ p_j|v_j| + 2·n·u·Σ p_j|v_j|} ≤ (δ + 2nu)·max|v|.
 */
class AttentionTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    @ParameterizedTest(name = "rows {0}, heads {1}/{2} kv, headDim {3}, keys {4}, prefix {5}")
    @CsvSource({
            // rows, heads, kvHeads, headDim, keys, prefix (rows < prefix see `prefix` keys, later rows are causal)
            "256, 16, 16, 72, 256, 256",
            "20, 8, 1, 256, 20, 12",
            "1, 8, 1, 256, 300, 0",
            "7, 3, 1, 17, 9, 4",
            "5, 4, 2, 33, 5, 0",
            "3, 1, 1, 1, 3, 1",
    })
    void matchesNaive(int rows, int heads, int kvHeads, int headDim, int keys, int prefix) {
        long seed = rows * 1009L + heads * 31L + headDim + keys;
        int qStride = heads * headDim + 3, kvStride = kvHeads * headDim + 5, outStride = heads * headDim + 1;
        float[] q = TestData.uniform(seed, rows * qStride, -2f, 2f);
        float[] k = TestData.uniform(seed + 1, keys * kvStride, -2f, 2f);
        float[] v = TestData.uniform(seed + 2, keys * kvStride, -1f, 1f);
        int[] visible = new int[rows];
        for (int r = 0; r < rows; r++) {
            int pos = keys - rows + r;                       // rows are the last `rows` positions
            visible[r] = pos < prefix ? prefix : pos + 1;
        }
        if (rows == 7) {
            visible[2] = 0;                                  // a row that sees nothing → zeros
        }
        float qDivisor = (float) Math.sqrt(headDim);
        float[] expected = new float[rows * outStride], actual = new float[rows * outStride];
        NAIVE.attention(new AttentionShape(heads, kvHeads, headDim, qDivisor), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(expected, 0, outStride));
        FAST.attention(new AttentionShape(heads, kvHeads, headDim, qDivisor), new Rows(q, 0, qStride), rows, new Rows(k, 0, kvStride), new Rows(v, 0, kvStride), visible, new Rows(actual, 0, outStride));
        int group = heads / kvHeads;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int kvOff = (h / group) * headDim;
                double maxQk = 0, maxLogit = 0, maxV = 0;
                for (int j = 0; j < visible[r]; j++) {
                    double s = 0, l = 0;
                    for (int d = 0; d < headDim; d++) {
                        double p = (double) q[r * qStride + h * headDim + d] / qDivisor * k[j * kvStride + kvOff + d];
                        s += Math.abs(p);
                        l += p;
                    }
                    maxQk = Math.max(maxQk, s);
                    maxLogit = Math.max(maxLogit, Math.abs(l));
                    for (int d = 0; d < headDim; d++) {
                        maxV = Math.max(maxV, Math.abs(v[j * kvStride + kvOff + d]));
                    }
                }
                int n = visible[r];
                double delta = 2 * headDim * TestData.U * maxQk + 4 * TestData.U * maxLogit + (2 * n + 8) * TestData.U;
                double tol = (delta + 2 * n * TestData.U) * maxV + 1e-30;
                for (int d = 0; d < headDim; d++) {
                    int at = r * outStride + h * headDim + d;
                    Close.check(actual[at], expected[at], tol, "out[%d, head %d, %d]", r, h, d);
                }
            }
        }
    }

    /** Logits far apart (masked-like −1e4, exp underflow, overflow-safe max subtraction) through the vector exp. */
    @org.junit.jupiter.api.Test
    void extremeLogits() {
        float[] logits = {3f, -50f, 88f, 87.5f, 0f, 88f, -1e4f, -100f, 60f, -87.5f, 10f, 20f, -3e38f, 88f, 1f, 2f, 85f};
        int n = logits.length;
        float[] q = new float[n];
        q[0] = 1f;
        float[] k = new float[n * n], v = new float[n * n];
        for (int j = 0; j < n; j++) {
            k[j * n] = logits[j];
            v[j * n + j] = 1f;
        }
        float[] expected = new float[4 * n], actual = new float[4 * n];
        float[] q4 = new float[4 * n];
        for (int r = 0; r < 4; r++) {
            System.arraycopy(q, 0, q4, r * n, n);   // 4 rows: takes the transposed-keys path too
        }
        int[] visible = {n, n, n, n};
        NAIVE.attention(new AttentionShape(1, 1, n, 1f), new Rows(q4, 0, n), 4, new Rows(k, 0, n), new Rows(v, 0, n), visible, new Rows(expected, 0, n));
        // the fast kernels give probability 0 to logits more than 64 below the maximum (88 here): 10, 20, 1, 2, …
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < n; j++) {
                if (logits[j] - 88f < AttentionKernels.FLUSH_BELOW) {
                    assertThat(expected[r * n + j]).as("naive p_%d", j).isLessThan(1e-27f);
                    expected[r * n + j] = 0f;
                }
            }
        }
        FAST.attention(new AttentionShape(1, 1, n, 1f), new Rows(q4, 0, n), 4, new Rows(k, 0, n), new Rows(v, 0, n), visible, new Rows(actual, 0, n));
        assertThat(actual[10]).as("p for logit 10 (78 below the maximum)").isZero();
        assertThat(actual[16]).as("p for logit 85").isGreaterThan(0.01f);
        Close.allClose(actual, expected, 0, 4 * n, i -> 8 * Math.ulp(expected[i]) + 1e-37, "softmax of extreme logits");
        float[] one = new float[n];
        FAST.attention(new AttentionShape(1, 1, n, 1f), new Rows(q, 0, n), 1, new Rows(k, 0, n), new Rows(v, 0, n), new int[] {n}, new Rows(one, 0, n));
        Close.allClose(one, expected, 0, n, i -> 8 * Math.ulp(expected[i]) + 1e-37, "softmax of extreme logits, one row");
    }

    @ParameterizedTest(name = "four rows: headDim {0}, keys {1}")
    @CsvSource({"72, 256", "256, 266", "20, 37", "5, 3", "17, 16"})
    void fourRowsEqualOneRowBitForBit(int headDim, int n) {
        long seed = headDim * 131L + n;
        int qStride = headDim + 3, kvStride = headDim + 5, outStride = headDim + 1;
        float[] q = TestData.uniform(seed, 4 * qStride, -2f, 2f);
        float[] k = TestData.uniform(seed + 1, n * kvStride, -2f, 2f);
        float[] v = TestData.uniform(seed + 2, n * kvStride, -1f, 1f);
        float[] kP = new float[AttentionKernels.packedKeysSize(n, headDim)];
        float[] vP = new float[AttentionKernels.packedValuesSize(n, headDim)];
        java.util.Arrays.fill(kP, Float.NaN);                          // the padding must be written (zeros)
        java.util.Arrays.fill(vP, Float.NaN);
        AttentionKernels.packKeys(k, kvStride, 0, n, headDim, kP, 0, 0, AttentionKernels.panels(n));
        for (int b = 0; b < AttentionKernels.panels(headDim); b++) {
            AttentionKernels.packValues(v, kvStride, 0, n, headDim, vP, 0, b);
        }
        float qDivisor = (float) Math.sqrt(headDim);
        int scratch = headDim + AttentionKernels.panels(n) * AttentionKernels.P;
        float[] four = new float[4 * outStride], one = new float[4 * outStride];
        AttentionKernels.fourPacked(q, 0, qStride, headDim, qDivisor, 0f, kP, 0, vP, 0, n, n,
                new float[AttentionKernels.fourScratch(headDim, n)], four, 0, outStride);
        for (int r = 0; r < 4; r++) {
            AttentionKernels.headPacked(q, r * qStride, headDim, qDivisor, 0f, kP, 0, v, kvStride, 0, n, new float[scratch],
                    one, r * outStride);
        }
        assertThat(four).containsExactly(one);
        assertThat(four).doesNotContain(Float.NaN);
    }

    @ParameterizedTest(name = "tile of {2} rows: headDim {0}, keys {1}")
    @CsvSource({"72, 256, 12", "256, 266, 5", "20, 37, 12", "5, 3, 1", "17, 16, 6", "72, 40, 7"})
    void tileRowsEqualOneRowBitForBit(int headDim, int n, int rowsWanted) {
        int rows = Math.min(rowsWanted, MatmulKernels.MR);
        long seed = headDim * 137L + n + rows;
        int qStride = headDim + 3, kvStride = headDim + 5, outStride = headDim + 1;
        float[] q = TestData.uniform(seed, rows * qStride, -2f, 2f);
        float[] k = TestData.uniform(seed + 1, n * kvStride, -2f, 2f);
        float[] v = TestData.uniform(seed + 2, n * kvStride, -1f, 1f);
        float[] kP = new float[AttentionKernels.packedKeysSize(n, headDim)];
        float[] vP = new float[AttentionKernels.packedValuesSize(n, headDim)];
        AttentionKernels.packKeys(k, kvStride, 0, n, headDim, kP, 0, 0, AttentionKernels.panels(n));
        for (int b = 0; b < AttentionKernels.panels(headDim); b++) {
            AttentionKernels.packValues(v, kvStride, 0, n, headDim, vP, 0, b);
        }
        float qDivisor = (float) Math.sqrt(headDim);
        float[] tile = new float[rows * outStride], one = new float[rows * outStride];
        float[] scratch = new float[AttentionKernels.tileScratch(headDim, n)];
        java.util.Arrays.fill(scratch, Float.NaN);                     // stale scratch must not leak in
        AttentionKernels.tilePacked(q, 0, qStride, rows, headDim, qDivisor, 0f, kP, 0, vP, 0, n, n, scratch, tile, 0,
                outStride, new float[MatmulKernels.tileSize()]);
        for (int r = 0; r < rows; r++) {
            AttentionKernels.headPacked(q, r * qStride, headDim, qDivisor, 0f, kP, 0, v, kvStride, 0, n,
                    new float[headDim + AttentionKernels.panels(n) * AttentionKernels.P], one, r * outStride);
        }
        assertThat(tile).containsExactly(one);
        assertThat(tile).doesNotContain(Float.NaN);
    }
}
