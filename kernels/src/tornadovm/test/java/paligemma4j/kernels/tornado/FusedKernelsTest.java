package paligemma4j.kernels.tornado;

import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Rows;
import static org.assertj.core.api.Assertions.assertThat;
import static paligemma4j.kernels.tornado.Random16.U;
import static paligemma4j.kernels.tornado.Random16.maxAbsDiff;
import static paligemma4j.kernels.tornado.Random16.uniform;
import static paligemma4j.kernels.tornado.Random16.weight;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.lang.foreign.Arena;
import paligemma4j.kernels.NaiveOps;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The fused kernels that only the tower graphs use, each launched alone on the device and compared
 * with the {@link NaiveOps} sequence it replaces, on odd sizes: the tiled matmul's GELU, RESIDUAL and
 * MULTIPLY epilogues (= matmul then gelu / add / multiply; one row takes the split-k path), the
 * work-group-per-output transposed matmul (= matmulTransposed of one row), RoPE + scale + cache write (= rope, scale,
 * rope, copy), packed-q|k|v attention (= attention on split arrays). Bounds as in {@link TornadoOpsTest}.
 */
class FusedKernelsTest {

    static final NaiveOps NAIVE = new NaiveOps();

    static {
        FallbackProbe.requireDevice(TornadoExecutionPlan.DEFAULT_DEVICE);
    }

    @ParameterizedTest(name = "[{0}, {1}] x [{1}, {2}] {3}")
    @CsvSource({"1, 1, 1, F32", "1, 257, 33, BF16", "1, 72, 300, F16", "1, 2048, 17, F32", "3, 17, 33, BF16",
            "17, 33, 17, F16", "31, 72, 48, BF16", "16, 16, 16, F32", "1, 72, 33, Q8_0", "17, 33, 96, Q8_0"})
    void tiledEpilogues(int rows, int in, int out, WeightType type) {
        Weight w = weightOf(in * 7L + out, in, out, type);
        DeviceWeight dw = new DeviceWeight(w);
        float[] x = uniform(rows, rows * in, -1f, 1f), bias = uniform(2, out, -1f, 1f);
        float[] base = uniform(3, rows * out, -2f, 2f);
        float[] product = new float[rows * out];
        NAIVE.matmul(x, rows, w, bias, 0, product, 0, out);
        for (int epilogue : new int[] {TiledMatmulKernels.STORE, TiledMatmulKernels.GELU, TiledMatmulKernels.RESIDUAL,
                TiledMatmulKernels.MULTIPLY}) {
            float[] expected = base.clone();
            switch (epilogue) {
                case TiledMatmulKernels.STORE -> expected = product.clone();
                case TiledMatmulKernels.GELU -> {
                    expected = product.clone();
                    NAIVE.gelu(expected, rows * out);
                }
                case TiledMatmulKernels.RESIDUAL -> NAIVE.add(expected, product, rows * out);
                default -> {
                    for (int i = 0; i < expected.length; i++) expected[i] *= product[i];
                }
            }
            FloatArray xa = FloatArray.fromArray(x), ba = FloatArray.fromArray(bias), ya = FloatArray.fromArray(base);
            FloatArray gelu = FloatArray.fromElements(NaiveOps.SQRT_2_OVER_PI, NaiveOps.GELU_CUBIC);
            IntArray d = IntArray.fromElements(in, out, rows, epilogue);
            try (KernelPlan plan = new KernelPlan("tiled", name -> {
                TaskGraph g = new TaskGraph(name).transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, ba, ya, d, gelu);
                return dw.tiledTask(g, KernelPlan.TASK, xa, ba, ya, d, gelu).transferToHost(DataTransferMode.EVERY_EXECUTION, ya);
            }, TornadoExecutionPlan.DEFAULT_DEVICE)) {
                int t = TiledMatmulKernels.TILE;
                plan.run(TiledMatmulKernels.launchSize(out), TiledMatmulKernels.launchSize(rows), t, t);
            }
            // the product differs by ≤ 2·in·u·Σ|x w| ≤ 2·in²·u (|x|, |w| ≤ 1); gelu' ≤ 1.2, |base| ≤ 2 scale it
            double bound = 2.0 * in * in * U * 2 * 1.2 + 16 * U * (1 + in);
            assertThat(maxAbsDiff(ya.toHeapArray(), expected)).as("epilogue %d", epilogue).isLessThanOrEqualTo(bound);
        }
    }

    @ParameterizedTest(name = "x[{0}] · [{1}, {2}]ᵀ {3}")
    @CsvSource({"0, 1, 1, F32", "2, 257, 33, BF16", "1, 31, 2176, F16", "0, 2048, 300, F32", "3, 129, 127, BF16",
            "1, 72, 301, Q8_0", "0, 2048, 33, Q8_0"})
    void transposedReduced(int row, int width, int vocab, WeightType type) {
        Weight e = weightOf(width * 3L + vocab, vocab, width, type);
        DeviceWeight dw = new DeviceWeight(e);
        float[] x = uniform(row + width, (row + 1) * width, -1f, 1f);
        float[] expected = new float[vocab];
        NAIVE.matmulTransposed(x, row * width, width, 1, e, expected, 0, vocab);
        FloatArray xa = FloatArray.fromArray(x), ya = new FloatArray(vocab);
        IntArray d = IntArray.fromElements(width, vocab, 1, row);
        try (KernelPlan plan = new KernelPlan("unembed", name -> {
            TaskGraph g = new TaskGraph(name).transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, d);
            return dw.transposedTask(g, KernelPlan.TASK, xa, ya, d).transferToHost(DataTransferMode.EVERY_EXECUTION, ya);
        }, TornadoExecutionPlan.DEFAULT_DEVICE)) {
            plan.run((long) vocab * LinearKernels.REDUCE_GROUP, 1, LinearKernels.REDUCE_GROUP, 1);
        }
        assertThat(maxAbsDiff(ya.toHeapArray(), expected)).isLessThanOrEqualTo(2.0 * width * width * U + 4 * U);
    }

    /**
     * A fused Q8_0 projection of heads narrower than a block ({@link DeviceWeight#columns}: each part keeps its own
     * blocks) against {@link NaiveOps} on each part into its columns.
     */
    @ParameterizedTest(name = "{0} rows, {1} parts [{2}, {3}]")
    @CsvSource({"1, 4, 32, 24", "19, 3, 33, 16", "5, 2, 72, 40"})
    void tiledQ8Parts(int rows, int parts, int in, int width) {
        Weight[] ws = new Weight[parts];
        for (int p = 0; p < parts; p++) ws[p] = weightOf(p * 101L + in, in, width, WeightType.Q8_0);
        DeviceWeight dw = DeviceWeight.columns(ws);
        int out = parts * width;
        float[] x = uniform(rows + in, rows * in, -1f, 1f), expected = new float[rows * out];
        for (int p = 0; p < parts; p++) NAIVE.matmul(x, rows, ws[p], null, 0, expected, p * width, out);
        FloatArray xa = FloatArray.fromArray(x), ba = new FloatArray(out), ya = new FloatArray(rows * out);
        ba.init(0f);
        FloatArray gelu = FloatArray.fromElements(NaiveOps.SQRT_2_OVER_PI, NaiveOps.GELU_CUBIC);
        IntArray d = IntArray.fromElements(in, out, rows, TiledMatmulKernels.STORE);
        try (KernelPlan plan = new KernelPlan("parts", name -> dw.tiledTask(new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, ba, ya, d, gelu), KernelPlan.TASK, xa, ba, ya, d, gelu)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, ya), TornadoExecutionPlan.DEFAULT_DEVICE)) {
            int t = TiledMatmulKernels.TILE;
            plan.run(TiledMatmulKernels.launchSize(out), TiledMatmulKernels.launchSize(rows), t, t);
        }
        assertThat(maxAbsDiff(ya.toHeapArray(), expected)).isLessThanOrEqualTo(2.0 * in * in * U + 4 * U);
    }

    /** A random weight of {@code type}; Q8_0 quantized from a float32 one. */
    static Weight weightOf(long seed, int rows, int cols, WeightType type) {
        return type == WeightType.Q8_0 ? Q8.quantize(weight(seed, rows, cols, WeightType.F32), Arena.ofAuto())
                : weight(seed, rows, cols, type);
    }

    @ParameterizedTest(name = "rows {0}, heads {1}/{2} × {3}, cache at {4}")
    @CsvSource({"1, 8, 1, 256, 260", "5, 2, 1, 24, 0", "3, 4, 2, 16, 7", "2, 1, 1, 2, 1"})
    void ropeAndCacheWrite(int rows, int heads, int kvHeads, int headDim, int cacheAt) {
        int qkvW = (heads + 2 * kvHeads) * headDim, kvW = kvHeads * headDim, capacity = cacheAt + rows + 2;
        float[] qkv = uniform(headDim + rows, rows * qkvW, -2f, 2f);
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = cacheAt + r;
        float scale = 1f / 16f, base = 10_000f;
        // reference: split, rope(q), scale(q), rope(k), copy k and v into the cache rows
        float[] q = new float[rows * heads * headDim], k = new float[rows * kvW], v = new float[rows * kvW];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(qkv, r * qkvW, q, r * heads * headDim, heads * headDim);
            System.arraycopy(qkv, r * qkvW + heads * headDim, k, r * kvW, kvW);
            System.arraycopy(qkv, r * qkvW + heads * headDim + kvW, v, r * kvW, kvW);
        }
        NAIVE.rope(q, rows, heads * headDim, heads, headDim, positions, base);
        NAIVE.scale(q, 0, q.length, scale);
        NAIVE.rope(k, rows, kvW, kvHeads, headDim, positions, base);

        FloatArray qa = FloatArray.fromArray(qkv), keys = new FloatArray(capacity * kvW), values = new FloatArray(capacity * kvW);
        keys.init(0f);
        values.init(0f);
        IntArray pos = IntArray.fromArray(positions), cacheRows = IntArray.fromArray(positions);   // row r → cache row cacheAt + r
        FloatArray ts = new FloatArray(headDim / 2);
        for (int i = 0; i < headDim / 2; i++) ts.set(i, 1f / NaiveOps.ropeTimescale(base, i, headDim));   // the kernel takes 1/τ
        IntArray d = IntArray.fromElements(rows, heads, kvHeads, headDim, qkvW, cacheAt, 0);
        FloatArray s = FloatArray.fromElements(scale), pow2 = CacheKernels.powersOfTwo();
        try (KernelPlan plan = new KernelPlan("rope", name -> new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, qa, keys, values, pos, cacheRows, ts, d, s, pow2)
                .task(KernelPlan.TASK, CacheKernels::ropeAndCacheWrite, new KernelContext(), qa, keys, values, pos, cacheRows,
                        ts, d, s, pow2)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, qa, keys, values), TornadoExecutionPlan.DEFAULT_DEVICE)) {
            plan.run((long) (heads + kvHeads) * (headDim / 2), rows);
        }
        double bound = 8 * U * 4 * 2;
        float[] out = qa.toHeapArray(), kc = keys.toHeapArray(), vc = values.toHeapArray();
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < heads * headDim; i++) {
                assertThat((double) Math.abs(out[r * qkvW + i] - q[r * heads * headDim + i])).isLessThanOrEqualTo(bound);
            }
            for (int i = 0; i < kvW; i++) {
                int c = (cacheAt + r) * kvW + i;
                assertThat((double) Math.abs(kc[c] - k[r * kvW + i])).as("key row %d", r).isLessThanOrEqualTo(bound);
                assertThat(vc[c]).as("value row %d", r).isEqualTo(v[r * kvW + i]);
            }
        }
    }

    /** big_vision's bf16 cache rounding by bits (round to nearest even), the reference for the kernel's arithmetic one. */
    static float bf16ByBits(float x) {
        int bits = Float.floatToRawIntBits(x);
        return Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000);
    }

    @org.junit.jupiter.api.Test
    void roundToBf16MatchesBitRounding() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        int n = 1 << 18;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = i % 4;
            int bits = rnd.nextInt();
            if (kind == 1) bits = (bits & 0xFFFF0000) | 0x8000;          // exact ties (odd and even kept halves)
            if (kind == 2) bits = bits & 0x807FFFFF;                    // subnormals (and ±0)
            if (kind == 3) bits = (bits & 0x80FFFFFF) | 0x3F000000;     // around 1 (attention-sized values)
            float v = Float.intBitsToFloat(bits);
            x[i] = Float.isNaN(v) ? 1f : v;
        }
        x[0] = Float.MAX_VALUE;                                          // rounds up to +∞
        x[1] = -Float.MAX_VALUE;
        x[2] = Float.MIN_VALUE;
        x[3] = Float.POSITIVE_INFINITY;
        FloatArray xa = FloatArray.fromArray(x), ya = new FloatArray(n), pow2 = CacheKernels.powersOfTwo();
        IntArray d = IntArray.fromElements(n);
        try (KernelPlan plan = new KernelPlan("bf16", name -> new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xa, pow2, d)
                .task(KernelPlan.TASK, CacheKernels::roundBf16, new KernelContext(), xa, pow2, ya, d)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, ya), TornadoExecutionPlan.DEFAULT_DEVICE)) {
            plan.run(n, 1);
        }
        int wrong = 0;
        String first = null;
        for (int i = 0; i < n; i++) {
            float e = bf16ByBits(x[i]), a = ya.get(i);
            if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(a) && !(e == 0f && a == 0f)) {
                if (first == null) first = x[i] + " → " + a + ", expected " + e;
                wrong++;
            }
        }
        assertThat(wrong).as("first: %s", first).isZero();
    }

    @ParameterizedTest(name = "rows {0}, heads {1} × {2}")
    @CsvSource({"7, 2, 16", "5, 3, 17", "1, 1, 1", "16, 16, 72"})
    void attentionPacked(int rows, int heads, int headDim) {
        int w = heads * headDim, stride = 3 * w;
        float[] qkv = uniform(rows * 31L + headDim, rows * stride, -2f, 2f);
        float[] q = new float[rows * w], k = new float[rows * w], v = new float[rows * w];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(qkv, r * stride, q, r * w, w);
            System.arraycopy(qkv, r * stride + w, k, r * w, w);
            System.arraycopy(qkv, r * stride + 2 * w, v, r * w, w);
        }
        int[] visibleRows = new int[rows];
        java.util.Arrays.fill(visibleRows, rows);
        float qDivisor = (float) Math.sqrt(headDim);
        float[] expected = new float[rows * w];
        NAIVE.attention(new AttentionShape(heads, heads, headDim, qDivisor), new Rows(q, 0, w), rows, new Rows(k, 0, w), new Rows(v, 0, w), visibleRows, new Rows(expected, 0, w));

        FloatArray qa = FloatArray.fromArray(qkv), out = new FloatArray(rows * w), p = new FloatArray(rows * heads * rows);
        IntArray vis = IntArray.fromArray(visibleRows);
        IntArray d = new IntArray(DeviceAttentionKernels.DIMS);
        d.set(DeviceAttentionKernels.Q_STRIDE, stride);
        d.set(DeviceAttentionKernels.ROWS, rows);
        d.set(DeviceAttentionKernels.HEADS, heads);
        d.set(DeviceAttentionKernels.HEAD_DIM, headDim);
        d.set(DeviceAttentionKernels.KV_STRIDE, stride);
        d.set(DeviceAttentionKernels.KV_HEADS, heads);
        d.set(DeviceAttentionKernels.KV_CAPACITY, rows);
        d.set(DeviceAttentionKernels.OUT_STRIDE, w);
        d.set(DeviceAttentionKernels.K_OFFSET, w);
        d.set(DeviceAttentionKernels.V_OFFSET, 2 * w);
        FloatArray c = FloatArray.fromElements(qDivisor);
        try (KernelPlan plan = new KernelPlan("attnPacked", name -> new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, qa, vis, p, d, c)
                .task(KernelPlan.TASK, DeviceAttentionKernels::attentionPacked, new KernelContext(), qa, vis, p, out, d, c)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out), TornadoExecutionPlan.DEFAULT_DEVICE)) {
            plan.run(heads, rows);
        }
        double logitErr = 2 * headDim * U * headDim * 4 / qDivisor;
        assertThat(maxAbsDiff(out.toHeapArray(), expected)).isLessThanOrEqualTo(2 * logitErr * 2 + 16 * U * rows * 2);
    }
}
