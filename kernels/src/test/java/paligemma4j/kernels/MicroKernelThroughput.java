package paligemma4j.kernels;

/**
 * A hand-run measurement (not a test) of the GEMM micro-kernel alone ({@link MatmulKernels#kernel}: MR × NR
 * tile, depth {@link MatmulKernels#KC}) on L1-resident packed data, one thread, GFLOP/s per round; compare
 * with {@code scripts/bench/ceiling/fma_peak.c}'s one-thread FMA peak of the same core.
 *
 * <pre>
 * mvn -q -B -o -pl kernels test-compile
 * java --add-modules jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes \
 *      paligemma4j.kernels.MicroKernelThroughput [rounds]
 * </pre>
 */
public final class MicroKernelThroughput {

    private MicroKernelThroughput() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int kc = MatmulKernels.KC, mr = MatmulKernels.MR, nr = MatmulKernels.NR;
        float[] a = new float[kc * mr], p = new float[kc * nr], tile = new float[mr * nr];
        for (int i = 0; i < a.length; i++) a[i] = i * 1e-3f;
        for (int i = 0; i < p.length; i++) p[i] = i * 1e-4f;
        int calls = 200_000;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) MatmulKernels.kernel(a, 0, p, 0, kc, tile);
            long t = System.nanoTime() - t0;
            System.out.printf("%d × %d tile, depth %d, %d lanes: %.1f GFLOP/s, one thread (tile[0] %g)%n",
                    mr, nr, kc, MatmulKernels.L, 2.0 * mr * nr * kc * calls / t, tile[0]);
        }
    }
}
