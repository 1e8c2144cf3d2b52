package paligemma4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.IntVector;

/**
 * A hand-run check (not a test): each bf16 decode product of PaliGemma-3B's shapes next to a plain read of the
 * same weight bytes by the same threads, taken in turn in one JVM. Every weight is one of enough copies to
 * make 256 MiB, so each call reads from memory, not the last-level cache. Prints, per product, GB/s of wall
 * time (best and median) and GB per second of CPU time summed over the threads. On a machine shared with other
 * work the CPU-time rate moves less than wall time but compares alternated variants only: it can favour a
 * variant that loses in wall time once both cores stream (docs/performance.md).
 *
 * <pre>
 * mvn -q -B -o -pl kernels test-compile
 * java -XX:UseAVX=3 --add-modules jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes \
 *      paligemma4j.kernels.Bf16DecodeRates [threads] [rounds]
 * </pre>
 */
public final class Bf16DecodeRates {

    private static final long COPY_BYTES = 256L << 20;
    private static final long READ_CHUNK = 4L << 20;

    private Bf16DecodeRates() {
    }

    /** One product and its weight bytes, run on copy {@code c}. */
    private record Case(String name, long bytes, int copies, CopyRun product, CopyRun read) {
    }

    private interface CopyRun {
        void run(int copy);
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (JvmOps ops = new JvmOps(threads); WorkerPool pool = new WorkerPool(threads); Arena arena = Arena.ofShared()) {
            float[] x = TestData.uniform(2, 16384, -1f, 1f);
            List<Case> cases = new ArrayList<>();
            cases.add(group(ops, pool, arena, "gate + up 2 x 2048x16384", 2, 2048, 16384, x));
            cases.add(group(ops, pool, arena, "down 16384x2048", 1, 16384, 2048, x));
            cases.add(group(ops, pool, arena, "o 2048x2048", 1, 2048, 2048, x));
            cases.add(group(ops, pool, arena, "q/k/v 10 x 2048x256", 10, 2048, 256, x));
            cases.add(unembedding(ops, pool, arena, 65536, 2048, x));
            for (Case c : cases) {                                 // start the pools' threads, then note them
                c.product.run(0);
                c.read.run(0);
            }
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("paligemma4j-kernels")).forEach(WORKERS::add);
            System.out.printf("threads %d, vector lanes %d, rounds %d, load average %.1f%n", threads, JvmOps.vectorLanes(),
                    rounds, os.getSystemLoadAverage());
            for (Case c : cases) {
                double[][] kernel = new double[2][rounds], read = new double[2][rounds];
                for (int r = 0; r < rounds + 3; r++) {             // three warm-up rounds, then product and read in turn
                    int slot = r - 3;
                    measure(c.product, r % c.copies, kernel, slot);
                    measure(c.read, (r + c.copies / 2) % c.copies, read, slot);   // a copy not just read
                }
                System.out.printf("%-26s product %s | plain read %s%n", c.name, rates(kernel, c.bytes), rates(read, c.bytes));
            }
            System.out.printf("load average %.1f%n", os.getSystemLoadAverage());
        }
    }

    private static void measure(CopyRun run, int copy, double[][] into, int slot) {
        long cpu0 = workerCpu(), t0 = System.nanoTime();
        run.run(copy);
        long wall = System.nanoTime() - t0, cpu = workerCpu() - cpu0;
        if (slot >= 0) {
            into[0][slot] = wall;
            into[1][slot] = cpu;
        }
    }

    /** CPU nanoseconds so far of this thread and the pools' workers (per-thread clocks: nanosecond resolution). */
    private static long workerCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = mx.getCurrentThreadCpuTime();
        for (Thread t : WORKERS) {
            sum += mx.getThreadCpuTime(t.threadId());
        }
        return sum;
    }

    private static final List<Thread> WORKERS = new ArrayList<>();

    /** "wall best / median GB/s, CPU-time GB/s (median)". */
    private static String rates(double[][] ns, long bytes) {
        double[] wall = ns[0].clone(), cpu = ns[1].clone();
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return String.format("%5.1f / %5.1f GB/s wall, %5.1f GB per CPU-s", bytes / wall[0], bytes / wall[wall.length / 2],
                bytes / cpu[cpu.length / 2]);
    }

    private static Case group(JvmOps ops, WorkerPool pool, Arena arena, String name, int n, int in, int out, float[] x) {
        long bytes = (long) n * in * out * 2;
        int copies = (int) Math.max(2, COPY_BYTES / bytes);
        Linear[] prepared = new Linear[copies];
        List<Weight[]> weights = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            Weight[] ws = new Weight[n];
            for (int i = 0; i < n; i++) {
                ws[i] = randomBf16(arena, in, out, 100L * c + i);
            }
            weights.add(ws);
            prepared[c] = ops.prepare(Linear.Use.DECODER, ws, null, b -> { });
        }
        Rows[] ys = new Rows[n];
        for (int i = 0; i < n; i++) {
            ys[i] = Rows.of(new float[out], out);
        }
        return new Case(name, bytes, copies, c -> ops.linear(x, 1, prepared[c], ys),
                c -> readAll(pool, Arrays.stream(weights.get(c)).map(Weight::data).toArray(MemorySegment[]::new)));
    }

    private static Case unembedding(JvmOps ops, WorkerPool pool, Arena arena, int vocab, int width, float[] x) {
        long bytes = (long) vocab * width * 2;
        int copies = (int) Math.max(2, COPY_BYTES / bytes);
        Weight[] ws = new Weight[copies];
        for (int c = 0; c < copies; c++) {
            ws[c] = randomBf16(arena, vocab, width, 7L + c);
        }
        float[] y = new float[vocab];
        return new Case("unembedding " + vocab + "x" + width + "^T", bytes, copies,
                c -> ops.matmulTransposed(x, 0, width, 1, ws[c], y, 0, vocab), c -> readAll(pool, ws[c].data()));
    }

    /** A bf16 weight of values ±[1, 2) with random mantissas (xorshift), page-aligned like a mapped checkpoint. */
    private static Weight randomBf16(Arena arena, int rows, int cols, long seed) {
        long elements = (long) rows * cols;
        MemorySegment seg = arena.allocate(elements * 2, 4096);
        long r = seed * 0x9E3779B97F4A7C15L + 1;
        for (long i = 0; i < elements; i += 4) {
            r ^= r << 13;
            r ^= r >>> 7;
            r ^= r << 17;
            seg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i * 2, (r & 0x807F_807F_807F_807FL) | 0x3F80_3F80_3F80_3F80L);
        }
        return new Weight(seg, WeightType.BF16, rows, cols);
    }

    /** Reads every byte of {@code segs} in tasks of up to 4 MiB (one per weight when smaller) over the pool. */
    private static void readAll(WorkerPool pool, MemorySegment... segs) {
        long each = segs[0].byteSize(), chunk = Math.min(READ_CHUNK, each);
        int per = (int) (each / chunk), tasks = per * segs.length;
        int[] sink = new int[1];
        pool.run(tasks, t -> sink[0] += read(segs[t / per].asSlice((t % per) * chunk, chunk)));
    }

    /** A plain read of every byte of {@code s} (size a multiple of four vectors): four vector sums. */
    private static int read(MemorySegment s) {
        IntVector a = IntVector.zero(Simd.I), b = a, c = a, d = a;
        long v = Simd.I.vectorByteSize(), n = s.byteSize();
        for (long o = 0; o < n; o += 4 * v) {
            a = a.add(IntVector.fromMemorySegment(Simd.I, s, o, Simd.LE));
            b = b.add(IntVector.fromMemorySegment(Simd.I, s, o + v, Simd.LE));
            c = c.add(IntVector.fromMemorySegment(Simd.I, s, o + 2 * v, Simd.LE));
            d = d.add(IntVector.fromMemorySegment(Simd.I, s, o + 3 * v, Simd.LE));
        }
        return a.add(b).add(c).add(d).lane(0);
    }
}
