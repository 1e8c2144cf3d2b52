package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link JvmOps#matmuls} (several weights, one x, one parallel job) equals the separate
 * {@link JvmOps#matmul} calls bit for bit: decode rows (band matrix-vector, including an odd bf16
 * column and a short W that takes the separate path), prefill rows (one packed x, column blocks of
 * every weight as tasks), and Q8_0 (band tasks of every weight; band sums added serially or in
 * parallel). Outputs go to interleaved column ranges of shared arrays, as Gemma's query/key/value heads
 * do; without biases (Gemma) and with a bias for some weights (SigLIP's query, key and value), each
 * added as the separate call adds it.
 */
class MatmulsTest {

    @ParameterizedTest(name = "rows {0}, in {1}, cols {2}, {3}, biases {4}")
    @CsvSource({
            "1, 2048, 256, BF16, false", "1, 2048, 256, BF16, true",
            "1, 600, 33, BF16, false", "1, 600, 33, BF16, true",
            "1, 512, 40, F32, false", "1, 512, 40, F32, true",
            "1, 520, 24, F16, false", "1, 520, 24, F16, true",
            "2, 300, 64, BF16, false", "2, 300, 64, BF16, true",
            "1, 700, 64, Q8_0, false", "1, 700, 64, Q8_0, true",
            "7, 130, 256, BF16, false", "7, 130, 256, BF16, true",
            "20, 96, 70, F32, false", "20, 96, 70, F32, true",
            "13, 64, 300, F16, false", "13, 64, 300, F16, true",
            "19, 128, 96, Q8_0, false", "19, 128, 96, Q8_0, true",
            "1, 1024, 2560, Q8_0, true",                 // enough band sums to add them in parallel
    })
    void equalsSeparateCalls(int rows, int in, int cols, WeightType type, boolean withBiases) {
        int heads = 3, kv = 2;                        // 3 "query" heads into q, then 2 into k
        Weight[] ws = new Weight[heads + kv];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = TestData.weight(31L * i + in + cols, in, cols, type);
        }
        float[] x = TestData.uniform(rows * 7L + in, rows * in, -1f, 1f);
        float[][] biases = null;
        if (withBiases) {                             // every weight but the second has one
            biases = new float[ws.length][];
            for (int i = 0; i < ws.length; i++) {
                biases[i] = i == 1 ? null : TestData.uniform(5L * i + cols, cols, -2f, 2f);
            }
        }
        int qStride = heads * cols + 1, kStride = kv * cols;
        float[][] ys = new float[ws.length][];
        int[] offs = new int[ws.length], strides = new int[ws.length];
        float[] q = new float[rows * qStride], k = new float[rows * kStride];
        for (int i = 0; i < ws.length; i++) {
            boolean query = i < heads;
            ys[i] = query ? q : k;
            offs[i] = (query ? i : i - heads) * cols;
            strides[i] = query ? qStride : kStride;
        }
        float[] qExpected = new float[q.length], kExpected = new float[k.length];
        try (JvmOps ops = new JvmOps(2)) {
            for (int i = 0; i < ws.length; i++) {
                ops.matmul(x, rows, ws[i], biases == null ? null : biases[i], 0, i < heads ? qExpected : kExpected,
                        offs[i], strides[i]);
            }
            Rows[] out = new Rows[ws.length];
            for (int i = 0; i < ws.length; i++) out[i] = new Rows(ys[i], offs[i], strides[i]);
            ops.linear(x, rows, ops.prepare(Linear.Use.DECODER, ws, biases, bytes -> { }), out);
        }
        assertThat(q).containsExactly(qExpected);
        assertThat(k).containsExactly(kExpected);
        for (int r = 0; r < rows; r++) {                  // every output written (random sums are never exactly 0)
            for (int c = 0; c < heads * cols; c++) {
                assertThat(q[r * qStride + c]).as("q[%d, %d]", r, c).isNotZero();
            }
        }
    }
}
