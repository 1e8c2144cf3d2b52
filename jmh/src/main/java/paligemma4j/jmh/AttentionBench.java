package paligemma4j.jmh;

import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Rows;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import paligemma4j.kernels.Ops;

/**
 * {@link Ops#attention} (q·k, softmax, ·v), {@code rows x heads x kvHeads x headDim x visible}:
 * SigLIP (16 heads of 72, full attention) at 256/1024/4096 tokens; Gemma prefill over the whole
 * prefix (8 query heads sharing one KV head of 256) at 266/1034/4106; one decode row over a cache
 * of 300/1100/4200. Derived: GFLOP/s = 4·rows·visible·heads·headDim / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class AttentionBench {

    @Param({"256x16x16x72x256", "1024x16x16x72x1024", "4096x16x16x72x4096",
            "266x8x1x256x266", "1034x8x1x256x1034", "4106x8x1x256x4106",
            "1x8x1x256x300", "1x8x1x256x1100", "1x8x1x256x4200"})
    public String shape;

    @Param({"jvm"})
    public String impl;

    @Param({"0"})
    public int threads;

    private Ops ops;
    private int rows, heads, kvHeads, headDim;
    private float[] q, k, v, out;
    private int[] visible;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = RandomWeights.dims(shape, 5);
        rows = d[0];
        heads = d[1];
        kvHeads = d[2];
        headDim = d[3];
        int keys = d[4];
        q = RandomWeights.floats(rows * heads * headDim, 1);
        k = RandomWeights.floats(keys * kvHeads * headDim, 2);
        v = RandomWeights.floats(keys * kvHeads * headDim, 3);
        out = new float[rows * heads * headDim];
        visible = new int[rows];
        Arrays.fill(visible, keys);
        ops = OpsChoice.of(impl, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OpsChoice.close(ops);
    }

    @Benchmark
    public float[] attention() {
        ops.attention(new AttentionShape(heads, kvHeads, headDim, (float) Math.sqrt(headDim)), new Rows(q, 0, heads * headDim), rows, new Rows(k, 0, kvHeads * headDim), new Rows(v, 0, kvHeads * headDim), visible, new Rows(out, 0, heads * headDim));
        return out;
    }
}
