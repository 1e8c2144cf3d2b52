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
 * of 300/1100/4200. Gemma 2 (PaliGemma 2), written {@code cap50:shape} for its attention-logit soft-cap of 50
 * (docs/model.md#gemma-2), with grouped-query heads: 3B 8 heads sharing 4 KV heads of 256, 10B 16/8 of 256, 28B
 * 32/16 of 128; prefill at 224 px (266 rows) and one decode row over 300 keys, the 3B also at 448 px and
 * without the cap (its cost alone). Derived: GFLOP/s = 4·rows·visible·heads·headDim / time.
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
            "1x8x1x256x300", "1x8x1x256x1100", "1x8x1x256x4200",
            "266x8x4x256x266", "cap50:266x8x4x256x266", "cap50:1034x8x4x256x1034", "1x8x4x256x300", "cap50:1x8x4x256x300",
            "cap50:266x16x8x256x266", "cap50:1x16x8x256x300",
            "cap50:266x32x16x128x266", "cap50:1x32x16x128x300"})
    public String shape;

    @Param({"jvm"})
    public String impl;

    @Param({"0"})
    public int threads;

    private Ops ops;
    private int rows, heads, kvHeads, headDim;
    private float softCap;
    private float[] q, k, v, out;
    private int[] visible;

    @Setup(Level.Trial)
    public void setup() {
        int colon = shape.indexOf(':');
        softCap = colon < 0 ? 0f : softCap(shape.substring(0, colon));
        int[] d = RandomWeights.dims(shape.substring(colon + 1), 5);
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

    /** "cap50" → 50. */
    private static float softCap(String prefix) {
        if (!prefix.startsWith("cap")) {
            throw new IllegalArgumentException("shape prefix '" + prefix + "': expected capN (soft-cap N), e.g. cap50");
        }
        return Float.parseFloat(prefix.substring(3));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OpsChoice.close(ops);
    }

    @Benchmark
    public float[] attention() {
        ops.attention(new AttentionShape(heads, kvHeads, headDim, (float) Math.sqrt(headDim), softCap), new Rows(q, 0, heads * headDim), rows, new Rows(k, 0, kvHeads * headDim), new Rows(v, 0, kvHeads * headDim), visible, new Rows(out, 0, heads * headDim));
        return out;
    }
}
