package paligemma4j.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * {@link Ops#matmul} at PaliGemma-3B's many-row shapes, {@code tokens × in × out}: SigLIP So400m
 * (width 1152, MLP 4304) at 224/448/896 (256/1024/4096 image tokens) and Gemma-2B prefill (width
 * 2048, one KV head of 256, MLP 16384) over those image tokens + 10 text tokens; {@code N*shape}: N
 * weights of one x through {@link Ops#matmuls} (Gemma's 8 query + key + value heads, gate + up).
 * Derived: GFLOP/s = 2·N·tokens·in·out / time. {@code orientation}: the weights stored [in, out] or [out, in].
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class MatmulBench {

    @Param({"256x1152x1152", "256x1152x4304", "256x4304x1152",
            "266x2048x2048", "266x2048x256", "266x2048x16384", "266x16384x2048",
            "1024x1152x1152", "1024x1152x4304", "1024x4304x1152",
            "1034x2048x2048", "1034x2048x256", "1034x2048x16384", "1034x16384x2048",
            "4096x1152x1152", "4096x1152x4304", "4096x4304x1152",
            "4106x2048x2048", "4106x2048x256", "4106x2048x16384", "4106x16384x2048",
            "10*266x2048x256", "2*266x2048x16384"})
    public String shape;

    @Param({"BF16", "F32", "F16", "Q8_0"})
    public WeightType dtype;

    /** {@code jvm} or {@code naive} (the scalar reference; slow at these shapes: pick it with -p impl=naive). */
    @Param({"jvm"})
    public String impl;

    /** How the weights are stored: big_vision's [in, out] or Hugging Face's [out, in]. */
    @Param({"INPUT_FIRST", "OUTPUT_FIRST"})
    public Weight.Orientation orientation;

    /** JvmOps threads; 0 = all cores. */
    @Param({"0"})
    public int threads;

    private Arena arena;
    private Ops ops;
    private Weight w;
    private float[] x;
    private float[] y;
    private int rows;
    /** The weights of a {@code N*shape} run as one prepared group, and their outputs. */
    private WeightGroup group;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = RandomWeights.dims(shape, 3);
        rows = d[0];
        arena = Arena.ofShared();
        x = RandomWeights.floats(rows * d[1], 2);
        ops = OpsChoice.of(impl, threads);
        group = WeightGroup.of(ops, arena, dtype, orientation, d[1], d[2], RandomWeights.copies(shape), rows);
        w = group.weights()[0];
        y = group.outputs()[0].data();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OpsChoice.close(ops);
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        if (group.weights().length > 1) {
            ops.linear(x, rows, group.prepared(), group.outputs());
        } else {
            ops.matmul(x, rows, w, null, 0, y, 0, w.out());
        }
        return y;
    }
}
