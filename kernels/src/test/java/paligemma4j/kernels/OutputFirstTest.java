package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Output-first weights ({@code [out, in]}, Hugging Face's layout) against the same values stored input-first.
 * The naive reference and the packed GEMM (6 rows and more) give the same bits for both orientations (the packed
 * panels are the same floats); one to five rows take dot products over the output-first rows, another summation
 * order than the input-first bands, so those are held to MatmulTest's bound {@code 2·n·u·Σ|x_i w_i|} (+ u·|bias|)
 * against the naive reference. Q8_0 quantizes along the stored rows, so an output-first Q8_0 matrix is compared
 * with the naive product of its own values under the same bound.
 */
class OutputFirstTest {

    private static final NaiveOps NAIVE = new NaiveOps();
    private static final JvmOps FAST = new JvmOps(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    static List<Arguments> shapes() {
        List<Arguments> args = new ArrayList<>();
        int[][] shapes = {{1, 1, 1}, {1, 33, 31}, {3, 257, 65}, {5, 1029, 33}, {6, 257, 31}, {7, 40, 70},
                {12, 300, 129}, {25, 513, 47}, {8, 64, 1200}, {31, 1152, 300}};
        for (int[] s : shapes) {
            for (WeightType t : WeightType.values()) args.add(Arguments.of(s[0], s[1], s[2], t));
        }
        return args;
    }

    /** A random {@code [out, in]} output-first weight of {@code type} (Q8_0: quantized along its rows). */
    private static Weight outputFirst(long seed, int in, int out, WeightType type) {
        Weight stored = TestData.weight(seed, out, in, type);
        return Weight.outputFirst(stored.data(), type, out, in);
    }

    @ParameterizedTest(name = "[{0}, {1}] x [{1}, {2}] {3}")
    @MethodSource("shapes")
    void matchesInputFirstAndNaive(int rows, int in, int out, WeightType type) {
        long seed = 13L * rows + 5L * in + out + type.ordinal();
        float[] x = TestData.uniform(seed, rows * in, -1f, 1f);
        float[] bias = TestData.uniform(seed + 2, out + 3, -1f, 1f);
        Weight of = outputFirst(seed + 1, in, out, type);
        assertThat(of.in()).isEqualTo(in);
        assertThat(of.out()).isEqualTo(out);
        int yOff = 5, yStride = out + 9;
        float[] naive = product(NAIVE, x, rows, of, bias, yOff, yStride);
        float[] fast = product(FAST, x, rows, of, bias, yOff, yStride);
        if (type != WeightType.Q8_0) {
            Weight inputFirst = of.inputFirst(Arena.ofAuto());
            assertThat(inputFirst.outputFirst()).isFalse();
            assertThat(inputFirst.at(in - 1, out - 1)).isEqualTo(of.at(in - 1, out - 1));
            Close.identical(naive, product(NAIVE, x, rows, inputFirst, bias, yOff, yStride), "naive, both orientations");
            if (rows >= JvmOps.MATMUL_MIN_ROWS) {
                Close.identical(fast, product(FAST, x, rows, inputFirst, bias, yOff, yStride), "GEMM, both orientations");
            }
        }
        double[] tol = new double[naive.length];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double abs = 0;
                for (int i = 0; i < in; i++) abs += Math.abs((double) x[r * in + i] * of.at(i, o));
                tol[r * yStride + yOff + o] = 2.0 * in * TestData.U * abs + TestData.U * Math.abs(bias[3 + o]);
            }
        }
        Close.allClose(fast, naive, 0, naive.length, i -> tol[i], type + " output-first vs naive");
    }

    private static float[] product(Ops ops, float[] x, int rows, Weight w, float[] bias, int yOff, int yStride) {
        float[] y = new float[rows * yStride + yOff];
        ops.matmul(x, rows, w, bias, bias == null ? 0 : 3, y, yOff, yStride);
        return y;
    }

    /** The output-first routes split by shape only: one thread and three give the same bits. */
    @Test
    void sameBitsForAnyThreadCount() {
        try (JvmOps one = new JvmOps(1); JvmOps three = new JvmOps(3)) {
            for (WeightType type : WeightType.values()) {
                Weight w = outputFirst(11, 520, 300, type);
                for (int rows : new int[] {1, 4, 13}) {
                    float[] x = TestData.uniform(rows + 20, rows * 520, -1f, 1f);
                    Close.identical(product(three, x, rows, w, null, 0, 300), product(one, x, rows, w, null, 0, 300),
                            type + ", " + rows + " rows");
                }
            }
        }
    }

    /** A prepared linear of output-first parts (encoder and decoder forms) equals each part's own product. */
    @Test
    void preparedPartsEqualTheirProducts() {
        for (WeightType type : new WeightType[] {WeightType.BF16, WeightType.Q8_0}) {
            Weight[] parts = {outputFirst(1, 288, 64, type), outputFirst(2, 288, 64, type), outputFirst(3, 288, 300, type)};
            float[][] biases = {null, TestData.uniform(4, 64, -1f, 1f), TestData.uniform(5, 300, -1f, 1f)};
            for (int rows : new int[] {1, 3, 9}) {
                float[] x = TestData.uniform(rows, rows * 288, -1f, 1f);
                for (Linear.Use use : Linear.Use.values()) {
                    List<MemorySegmentCount> released = new ArrayList<>();
                    Linear l = FAST.prepare(use, parts, biases, s -> released.add(new MemorySegmentCount(s.byteSize())));
                    assertThat(l.in()).isEqualTo(288);
                    assertThat(l.out(2)).isEqualTo(300);
                    Rows[] ys = new Rows[3];
                    for (int i = 0; i < 3; i++) ys[i] = new Rows(new float[rows * parts[i].out()], 0, parts[i].out());
                    FAST.linear(x, rows, l, ys);
                    for (int i = 0; i < 3; i++) {
                        float[] alone = new float[rows * parts[i].out()];
                        FAST.matmul(x, rows, parts[i], biases[i], 0, alone, 0, parts[i].out());
                        Close.identical(ys[i].data(), alone, type + " " + use + " part " + i + ", " + rows + " rows");
                    }
                    assertThat(released).as("output-first weights stay as stored").isEmpty();
                }
            }
        }
    }

    private record MemorySegmentCount(long bytes) {}

    /** An output-first weight's column blocks and joins are its rows: slices of the same memory, no copy. */
    @Test
    void blocksAndJoinsAreRows() {
        Weight w = outputFirst(7, 40, 300, WeightType.BF16);
        Weight[] blocks = Weight.columnBlocks(w, 128, Arena.ofAuto());
        assertThat(blocks).extracting(Weight::out).containsExactly(128, 128, 44);
        assertThat(blocks[1].data().address()).isEqualTo(w.data().address() + 128L * 40 * 2);
        Weight joined = Weight.concatColumns(blocks, Arena.ofAuto());
        assertThat(joined.outputFirst()).isTrue();
        assertThat(joined.data().asByteBuffer()).isEqualTo(w.data().asByteBuffer());
        assertThatThrownBy(() -> Weight.concatColumns(new Weight[] {w, TestData.weight(8, 40, 300, WeightType.BF16)},
                Arena.ofAuto())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output concatenation: part 1 is BF16 INPUT_FIRST [40, 300], expected BF16 OUTPUT_FIRST [any, 40]");
    }

    /** Q8_0 keeps the orientation, its blocks running along the stored rows (the reduction). */
    @Test
    void q8KeepsTheOrientation() {
        Weight q = Q8.quantize(outputFirst(9, 64, 8, WeightType.F32), Arena.ofAuto());
        assertThat(q.outputFirst()).isTrue();
        assertThat(q.in()).isEqualTo(64);
        assertThatThrownBy(() -> q.inputFirst(Arena.ofAuto())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an output-first Q8_0 weight [8, 64] has no input-first form (its blocks run along the inputs)");
    }
}
