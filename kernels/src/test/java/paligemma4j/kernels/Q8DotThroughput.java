package paligemma4j.kernels;

import java.lang.foreign.Arena;

/**
 * A hand-run comparison (not a test): the Q8_0 unembedding's row kernel with float32 activations
 * ({@link Q8Kernels#dot}) against int8 activations ({@link Q8DotKernels#dot}), one thread, one JVM, the two
 * alternating on the same W of {@code rows} 2048-wide rows (64: W in L2; 32768: 64 MiB, streamed from memory).
 * Prints the fewest ns per row of each over the rounds (x is quantized once, outside the timing, as the
 * unembedding does once per token).
 *
 * With {@code unembedding [threads]} instead: the whole Q8_0 unembedding {@code [257152, 2048]} through
 * {@link JvmOps#matmulTransposed} on {@code threads} threads (default 2), a JvmOps made with each setting of
 * {@code paligemma4j.q8Activations}, alternating, fewest ms per call.
 *
 * <pre>
 * mvn -q -B -o -pl kernels test-compile
 * java --add-modules jdk.incubator.vector -XX:UseAVX=3 -cp kernels/target/classes:kernels/target/test-classes \
 *      paligemma4j.kernels.Q8DotThroughput [rows | unembedding [threads]]
 * </pre>
 */
public final class Q8DotThroughput {

    private Q8DotThroughput() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("unembedding")) {
            unembedding(args.length > 1 ? Integer.parseInt(args[1]) : 2);
            return;
        }
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 64, width = 2048, nb = Q8.blocks(width);
        Weight w = Q8.quantize(Weight.of(TestData.uniform(1, rows * width, -1f, 1f), rows, width), Arena.ofAuto());
        float[] x = TestData.uniform(2, width, -1f, 1f);
        short[] qx = new short[width];
        float[] dx = new float[nb];
        Q8Activations.quantize(x, 0, width, qx, 0, dx, 0);
        float[] y = new float[rows], xs = new float[width];
        Q8Kernels.phases(x, 0, width, xs, 0);
        int scratch = Math.max(Q8Kernels.scratchFloats(width), Q8DotKernels.scratchFloats(width));
        short[] s16 = new short[scratch];
        float[] sc = new float[scratch];
        int reps = Math.max(1, 12800 / rows), rounds = rows > 1000 ? 16 : 60, warm = rounds / 5;
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                for (int rep = 0; rep < reps; rep++) {
                    if (k == 0) {
                        Q8Kernels.dot(x, 0, xs, 0, width, w.data(), 0, rows, y, 0, s16, sc);
                    } else {
                        Q8DotKernels.dot(qx, 0, dx, 0, width, w.data(), 0, rows, y, 0, s16, sc);
                    }
                }
                double ns = (System.nanoTime() - t0) / (double) reps / rows;
                if (round >= warm) best[k] = Math.min(best[k], ns);
            }
        }
        double bytes = Q8.rowBytes(width);
        System.out.printf("Q8_0 [%d, %d], fewest ns per row: float32 activations %.1f (%.2f GB/s), int8 activations %.1f (%.2f GB/s)%n",
                rows, width, best[0], bytes / best[0], best[1], bytes / best[1]);
    }

    private static void unembedding(int threads) {
        int vocab = 257152, width = 2048;
        Weight e = Q8.quantize(Weight.of(TestData.uniform(3, vocab * width, -1f, 1f), vocab, width), Arena.ofAuto());
        float[] x = TestData.uniform(4, width, -1f, 1f), y = new float[vocab];
        JvmOps[] ops = new JvmOps[2];
        String[] acts = {"f32", "int8"};
        for (int k = 0; k < 2; k++) {
            System.setProperty(JvmProducts.Q8_ACTIVATIONS, acts[k]);
            ops[k] = new JvmOps(threads);
        }
        System.clearProperty(JvmProducts.Q8_ACTIVATIONS);
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 30; round++) {
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                ops[k].matmulTransposed(x, 0, width, 1, e, y, 0, vocab);
                double ms = (System.nanoTime() - t0) / 1e6;
                if (round >= 5) best[k] = Math.min(best[k], ms);
            }
        }
        for (JvmOps o : ops) o.close();
        double gb = vocab * Q8.rowBytes(width) / 1e9;
        System.out.printf("Q8_0 unembedding [%d, %d], %d threads, fewest ms: float32 activations %.1f (%.2f GB/s), int8 activations %.1f (%.2f GB/s)%n",
                vocab, width, threads, best[0], gb / best[0] * 1e3, best[1], gb / best[1] * 1e3);
    }
}
