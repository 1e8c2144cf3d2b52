package paligemma4j.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * One decode step's matrix-vector products at Gemma-2B's shapes, {@code in × out}: q/o (2048²),
 * k/v (2048 × 256), gate/up (2048 × 16384), down (16384 × 2048) through {@link Ops#matmul} with one
 * row; and the tied unembedding {@code vocab × width} (257152 × 2048) through
 * {@link Ops#matmulTransposed}; {@code N*shape}: N weights of one x through {@link Ops#matmuls} (the 8 query
 * + key + value heads, gate + up). Bandwidth-bound: derived GB/s = weight bytes / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class MatvecBench {

    /** {@code in x out}, or {@code Tvocab x width} for the transposed unembedding. */
    @Param({"2048x2048", "2048x256", "2048x16384", "16384x2048", "T257152x2048", "10*2048x256", "2*2048x16384"})
    public String shape;

    @Param({"BF16", "F32", "F16", "Q8_0"})
    public WeightType dtype;

    @Param({"jvm", "naive"})
    public String impl;

    /** Activations of the Q8_0 unembedding: int8 (integer products) or f32 (the system property JvmOps reads). */
    @Param({"f32"})
    public String q8Activations;

    /** How the weights are stored: big_vision's [in, out] or Hugging Face's [out, in]. */
    @Param({"INPUT_FIRST", "OUTPUT_FIRST"})
    public Weight.Orientation orientation;

    /** JvmOps threads; 0 = all cores. */
    @Param({"0"})
    public int threads;

    private Arena arena;
    private Ops ops;
    private Weight w;
    private boolean transposed;
    private float[] x;
    private float[] y;
    /** The weights of a {@code N*shape} run as one prepared group, and their outputs. */
    private WeightGroup group;

    @Setup(Level.Trial)
    public void setup() {
        transposed = shape.startsWith("T");
        int[] d = RandomWeights.dims(transposed ? shape.substring(1) : shape, 2);
        arena = Arena.ofShared();
        System.setProperty("paligemma4j.q8Activations", q8Activations);
        ops = OpsChoice.of(impl, threads);
        group = WeightGroup.of(ops, arena, dtype, transposed ? Weight.Orientation.INPUT_FIRST : orientation, d[0], d[1],
                RandomWeights.copies(shape), 1);
        w = group.weights()[0];
        x = RandomWeights.floats(transposed ? d[1] : d[0], 2);
        y = new float[transposed ? d[0] : d[1]];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OpsChoice.close(ops);
        arena.close();
    }

    @Benchmark
    public float[] matvec() {
        if (transposed) {
            ops.matmulTransposed(x, 0, x.length, 1, w, y, 0, y.length);
        } else if (group.weights().length > 1) {
            ops.linear(x, 1, group.prepared(), group.outputs());
        } else {
            ops.matmul(x, 1, w, null, 0, y, 0, y.length);
        }
        return y;
    }
}
