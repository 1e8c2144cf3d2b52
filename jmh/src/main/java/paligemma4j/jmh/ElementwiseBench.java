package paligemma4j.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Ops;

/**
 * The element-wise operations: {@link Ops#rope} on Gemma's q (8 heads) or k (1 head) of 256 over
 * {@code rows x heads x headDim}; {@link Ops#gelu} on SigLIP's MLP hidden ({@code rows x 4304});
 * {@link Ops#geluGate} on Gemma's ({@code rows x 16384}); {@link Ops#argmax} over the 257152-entry
 * vocabulary; Gemma 2's final-logit soft-cap {@code 30·tanh(l/30)} ({@link AttentionShape#softCap}, the one
 * function every backend calls, so {@code impl} does not change it) in place over the vocabulary's logits, once per
 * decode step. Derived: GB/s = float32 bytes read + written / time (rope, gelu, softCap: 8 per element; geluGate: 12;
 * argmax: 4).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class ElementwiseBench {

    @Param({"rope:266x8x256", "rope:266x1x256", "rope:1x8x256", "rope:4106x8x256",
            "gelu:256x4304", "gelu:4096x4304",
            "geluGate:266x16384", "geluGate:1x16384", "geluGate:4106x16384",
            "argmax:1x257152", "softCap:1x257152"})
    public String shape;

    @Param({"jvm", "naive"})
    public String impl;

    @Param({"0"})
    public int threads;

    private Ops ops;
    private String op;
    private int[] d;
    private int n;
    private float[] x, up;
    private int[] positions;

    @Setup(Level.Trial)
    public void setup() {
        String[] kind = shape.split(":");
        op = kind[0];
        d = RandomWeights.dims(kind[1]);
        n = 1;
        for (int v : d) n *= v;
        x = RandomWeights.floats(n, 1);
        // The operations run in place, call after call: RoPE is a rotation and GELU has fixed points, so
        // values stay finite; up = ±1 keeps geluGate's repeated products from decaying into subnormals.
        up = new float[n];
        for (int i = 0; i < n; i++) up[i] = (i & 1) == 0 ? 1f : -1f;
        positions = new int[d[0]];
        for (int i = 0; i < positions.length; i++) positions[i] = 7 + i;
        ops = OpsChoice.of(impl, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OpsChoice.close(ops);
    }

    @Benchmark
    public Object op() {
        switch (op) {
            case "rope" -> ops.rope(x, d[0], d[1] * d[2], d[1], d[2], positions, 10_000f);
            case "gelu" -> ops.gelu(x, n);
            case "geluGate" -> ops.geluGate(x, up, n);
            case "softCap" -> AttentionShape.softCap(x, 0, n, 30f);   // shrinks |x| only slowly: no subnormals
            case "argmax" -> {
                return ops.argmax(x, 0, n);
            }
            default -> throw new IllegalStateException("unknown op " + op);
        }
        return x;
    }
}
