package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * A hand-run measurement (not a test) of {@link Q8#quantize} on an in-memory bf16 matrix (default Gemma's
 * gate, 2048 × 16384), one thread (a confined arena keeps it on the caller), {@code rounds} calls, the fewest
 * ms and ns per element of the rounds after the warm-up.
 *
 * <pre>
 * mvn -q -B -o -pl kernels test-compile
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *      -cp kernels/target/classes:kernels/target/test-classes paligemma4j.kernels.Q8QuantizeThroughput [rows cols rounds]
 * </pre>
 */
public final class Q8QuantizeThroughput {

    private static final int WARM_UP = 5;

    private Q8QuantizeThroughput() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 16384;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        MemorySegment bf16 = Arena.global().allocate(2L * rows * cols, 64);
        SplittableRandom rnd = new SplittableRandom(1);
        for (long i = 0; i < (long) rows * cols; i++) {
            bf16.set(Weight.I16, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian() * 0.02f) >>> 16));
        }
        Weight w = new Weight(bf16, WeightType.BF16, rows, cols);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < WARM_UP + rounds; r++) {
            try (Arena arena = Arena.ofConfined()) {
                long t0 = System.nanoTime();
                Q8.quantize(w, arena);
                long t = System.nanoTime() - t0;
                if (r >= WARM_UP) best = Math.min(best, t);
            }
        }
        System.out.printf("Q8.quantize bf16 [%d, %d], one thread: %.1f ms, %.2f ns per element (fewest of %d)%n",
                rows, cols, best / 1e6, best / ((double) rows * cols), rounds);
    }
}
