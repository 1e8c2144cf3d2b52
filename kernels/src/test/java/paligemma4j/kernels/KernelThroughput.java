package paligemma4j.kernels;

import java.util.Arrays;

/**
 * A hand-run throughput check (not a test): decode matrix-vector GB/s, unembedding GB/s and
 * prefill/vision matmul GFLOP/s at PaliGemma-3B shapes. Prints median and best of the repetitions.
 *
 * <pre>
 * mvn -q -B -o -pl kernels test-compile
 * java --add-modules jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes \
 *      paligemma4j.kernels.KernelThroughput [threads] [reps]
 * </pre>
 * Add {@code -XX:UseAVX=3} to run the kernels 512 bits wide on AVX-512 CPUs where HotSpot
 * defaults to 256.
 */
public final class KernelThroughput {

    private KernelThroughput() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        System.out.printf("threads %d, vector lanes %d, reps %d%n", threads, JvmOps.vectorLanes(), reps);
        try (JvmOps ops = new JvmOps(threads)) {
            for (WeightType t : new WeightType[] {WeightType.BF16, WeightType.F16, WeightType.F32}) {
                Weight w = TestData.weight(1, 2048, 16384, t);
                float[] x = TestData.uniform(2, 2048, -1f, 1f), y = new float[16384];
                double[] s = time(reps, () -> ops.matmul(x, 1, w, null, 0, y, 0, 16384));
                double bytes = 2048.0 * 16384 * t.bytes;
                System.out.printf("matvec   [1, 2048] x [2048, 16384] %-4s  median %7.2f ms  %6.1f GB/s   best %6.1f GB/s%n",
                        t, s[0] * 1e3, bytes / s[0] / 1e9, bytes / s[1] / 1e9);
            }
            for (WeightType t : new WeightType[] {WeightType.BF16, WeightType.F32}) {
                Weight w = TestData.weight(1, 16384, 2048, t);
                float[] x = TestData.uniform(2, 16384, -1f, 1f), y = new float[2048];
                double[] s = time(reps, () -> ops.matmul(x, 1, w, null, 0, y, 0, 2048));
                double bytes = 2048.0 * 16384 * t.bytes;
                System.out.printf("matvec   [1, 16384] x [16384, 2048] %-4s median %7.2f ms  %6.1f GB/s   best %6.1f GB/s%n",
                        t, s[0] * 1e3, bytes / s[0] / 1e9, bytes / s[1] / 1e9);
            }
            {
                int vocab = 65536;
                Weight e = TestData.weight(3, vocab, 2048, WeightType.BF16);
                float[] x = TestData.uniform(4, 2048, -1f, 1f), y = new float[vocab];
                double[] s = time(reps, () -> ops.matmulTransposed(x, 0, 2048, 1, e, y, 0, vocab));
                double bytes = 2048.0 * vocab * 2;
                System.out.printf("unembed  [1, 2048] x [%d, 2048]^T BF16 median %7.2f ms  %6.1f GB/s   best %6.1f GB/s%n",
                        vocab, s[0] * 1e3, bytes / s[0] / 1e9, bytes / s[1] / 1e9);
            }
            for (int rows : new int[] {2, 4}) {
                Weight w = TestData.weight(1, 2048, 16384, WeightType.BF16);
                float[] x = TestData.uniform(2, rows * 2048, -1f, 1f), y = new float[rows * 16384];
                double[] s = time(reps, () -> ops.matmul(x, rows, w, null, 0, y, 0, 16384));
                double bytes = 2048.0 * 16384 * 2;
                System.out.printf("matmul   [%d, 2048] x [2048, 16384] BF16  median %7.2f ms  %6.1f GB/s   best %6.1f GB/s%n",
                        rows, s[0] * 1e3, bytes / s[0] / 1e9, bytes / s[1] / 1e9);
            }
            {
                int rows = 256, heads = 16, headDim = 72, stride = heads * headDim;
                float[] q = TestData.uniform(7, rows * stride, -1f, 1f), k = TestData.uniform(8, rows * stride, -1f, 1f);
                float[] v = TestData.uniform(9, rows * stride, -1f, 1f), out = new float[rows * stride];
                int[] visible = new int[rows];
                java.util.Arrays.fill(visible, rows);
                double[] s = time(reps, () -> ops.attention(new AttentionShape(heads, heads, headDim, (float) Math.sqrt(headDim)), new Rows(q, 0, stride), rows, new Rows(k, 0, stride), new Rows(v, 0, stride), visible, new Rows(out, 0, stride)));
                double flop = 4.0 * rows * rows * heads * headDim;
                System.out.printf("attention SigLIP 256 x 16 x 72             median %7.2f ms  %6.1f GFLOP/s%n", s[0] * 1e3, flop / s[0] / 1e9);
            }
            for (WeightType t : new WeightType[] {WeightType.F32, WeightType.BF16}) {
                int m = 256, k = 1152, n = 4304;
                Weight w = TestData.weight(5, k, n, t);
                float[] x = TestData.uniform(6, m * k, -1f, 1f), y = new float[m * n];
                double[] s = time(Math.max(3, reps / 2), () -> ops.matmul(x, m, w, null, 0, y, 0, n));
                double flop = 2.0 * m * k * n;
                System.out.printf("matmul   [256, 1152] x [1152, 4304] %-4s median %7.2f ms  %6.1f GFLOP/s best %6.1f GFLOP/s%n",
                        t, s[0] * 1e3, flop / s[0] / 1e9, flop / s[1] / 1e9);
            }
        }
    }

    /**
     * {median, best} seconds over {@code reps} runs after as many warm-up runs; also prints the
     * process CPU seconds per run (on a shared machine wall time ≫ CPU time / threads).
     */
    private static double[] time(int reps, Runnable r) {
        for (int i = 0; i < reps; i++) {
            r.run();
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] t = new double[reps];
        long cpu0 = os.getProcessCpuTime();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) * 1e-9;
        }
        double cpu = (os.getProcessCpuTime() - cpu0) * 1e-9 / reps;
        Arrays.sort(t);
        System.out.printf("  (cpu %.2f ms/run, load %.1f) ", cpu * 1e3, os.getSystemLoadAverage());
        return new double[] {t[reps / 2], t[0], cpu};
    }
}
