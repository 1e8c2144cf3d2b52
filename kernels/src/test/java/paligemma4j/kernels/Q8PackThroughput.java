package paligemma4j.kernels;

/**
 * A hand-run comparison (not a test) of the GEMM with Q8_0 against bf16 weights holding the same values,
 * one JVM, the two alternating, fewest ms of each over the rounds after three warm-up rounds:
 * <ul>
 *   <li>{@code pack [in out nc rows]}: one thread; {@link MatmulKernels#packQ8} against
 *       {@link MatmulKernels#packBf16} over all of W {@code [in, out]} by {@code nc}-column blocks as the
 *       GEMM's tasks pack it (default Gemma's gate, 2048 × 16384: 64 MiB as bf16, streamed from memory),
 *       then one whole task ({@link MatmulKernels#block}: packing, micro-kernel, merging) of
 *       {@code rows} x rows;</li>
 *   <li>{@code gemm [in out rows threads only rounds]}: the whole product through {@link JvmOps#matmul};
 *       {@code only} = {@code q8} or {@code bf16} runs one type alone (the JIT then sees one type, as
 *       in a model run), default {@code both}.</li>
 * </ul>
 *
 * <pre>
 * mvn -q -B -o -pl kernels test-compile
 * java --add-modules jdk.incubator.vector -XX:UseAVX=3 -cp kernels/target/classes:kernels/target/test-classes \
 *      paligemma4j.kernels.Q8PackThroughput pack|gemm [arguments]
 * </pre>
 */
public final class Q8PackThroughput {

    private static final int WARM_UP = 3;

    private Q8PackThroughput() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("gemm")) {
            gemm(arg(args, 1, 2048), arg(args, 2, 16384), arg(args, 3, 260), arg(args, 4, 2),
                    args.length > 5 ? args[5] : "both", arg(args, 6, 12));
        } else {
            pack(arg(args, 1, 2048), arg(args, 2, 16384), arg(args, 3, 512), arg(args, 4, 260));
        }
    }

    private static void pack(int in, int out, int nc, int rows) {
        Weight[] ws = weights(in, out);
        float[] packed = new float[MatmulKernels.packedSize(nc)], tile = new float[MatmulKernels.tileSize()];
        float[] x = TestData.uniform(2, rows * in, -1f, 1f), y = new float[rows * out];
        float[] ap = new float[MatmulKernels.packedRowsSize(rows, in)];
        MatmulKernels.packRows(x, rows, in, ap, 0, (rows + MatmulKernels.MR - 1) / MatmulKernels.MR);
        int blocks = Math.min(4, out / nc);      // whole-task timing: a few column blocks
        double[] pack = {Double.MAX_VALUE, Double.MAX_VALUE}, task = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 12; round++) {
            for (int k = 0; k < 2; k++) {
                Weight w = ws[k];
                long t0 = System.nanoTime();
                for (int n0 = 0; n0 + nc <= out; n0 += nc) {
                    for (int k0 = 0; k0 < in; k0 += MatmulKernels.KC) {
                        int kc = Math.min(MatmulKernels.KC, in - k0);
                        if (k == 0) {
                            MatmulKernels.packBf16(w.data(), out, k0, kc, n0, nc, packed);
                        } else {
                            MatmulKernels.packQ8(w.data(), out, k0, kc, n0, nc, packed);
                        }
                    }
                }
                long t1 = System.nanoTime();
                for (int b = 0; b < blocks; b++) {
                    MatmulKernels.block(ap, in, w.data(), w.type(), false, out, null, 0, y, 0, out, 0, rows, b * nc, (b + 1) * nc,
                            packed, tile, null, null);
                }
                long t2 = System.nanoTime();
                if (round >= WARM_UP) {
                    pack[k] = Math.min(pack[k], (t1 - t0) / 1e6);
                    task[k] = Math.min(task[k], (t2 - t1) / 1e6 / blocks);
                }
            }
        }
        System.out.printf("W [%d, %d], nc %d, %d rows, one thread, fewest ms: packing all of W bf16 %.1f, Q8_0 %.1f;"
                + " one task bf16 %.2f, Q8_0 %.2f%n", in, out, nc, rows, pack[0], pack[1], task[0], task[1]);
    }

    private static void gemm(int in, int out, int rows, int threads, String only, int rounds) {
        Weight[] ws = weights(in, out);
        float[] x = TestData.uniform(2, rows * in, -1f, 1f), y = new float[rows * out];
        double[] best = {Double.NaN, Double.NaN};
        try (JvmOps ops = new JvmOps(threads)) {
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < 2; k++) {
                    if (only.equals(k == 0 ? "q8" : "bf16")) continue;
                    long t0 = System.nanoTime();
                    ops.matmul(x, rows, ws[k], null, 0, y, 0, out);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (round >= WARM_UP && !(ms >= best[k])) best[k] = ms;
                }
            }
        }
        System.out.printf("%d x [%d, %d], %d threads, fewest ms of %d: bf16 %.1f, Q8_0 %.1f%n", rows, in, out, threads,
                rounds - WARM_UP, best[0], best[1]);
    }

    /** W as bf16 and as Q8_0, both made from the same uniform values (seed 1). */
    private static Weight[] weights(int in, int out) {
        return new Weight[] {TestData.weight(1, in, out, WeightType.BF16), TestData.weight(1, in, out, WeightType.Q8_0)};
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }
}
