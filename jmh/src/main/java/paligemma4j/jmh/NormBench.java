package paligemma4j.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import paligemma4j.kernels.Ops;

/**
 * {@link Ops#layerNorm} (SigLIP, width 1152) and {@link Ops#rmsNorm} (Gemma, width 2048) over
 * {@code rows x width}: 256/1024/4096 image tokens, 266/1034/4106 prefix tokens, one decode row. Gemma 2's
 * widths (PaliGemma 2 3B 2304, 10B 3584, 28B 4608; four rmsNorms per layer, two of them the post norms) over the
 * 224 px prefix and one decode row; {@code postNorm:} is the post norm's whole residual step,
 * {@code x += rmsNorm(y)·(1 + scale)} (rmsNorm then add, as the decoder layer runs it).
 * Derived: GB/s = 8·rows·width (read x, write y) / time; postNorm 20·rows·width (also reads tmp and x, writes x).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class NormBench {

    @Param({"layerNorm:256x1152", "layerNorm:1024x1152", "layerNorm:4096x1152",
            "rmsNorm:266x2048", "rmsNorm:1034x2048", "rmsNorm:4106x2048", "rmsNorm:1x2048",
            "rmsNorm:266x2304", "rmsNorm:1x2304", "rmsNorm:266x3584", "rmsNorm:1x3584", "rmsNorm:266x4608", "rmsNorm:1x4608",
            "postNorm:266x2304", "postNorm:1x2304"})
    public String shape;

    @Param({"jvm", "naive"})
    public String impl;

    @Param({"0"})
    public int threads;

    private Ops ops;
    private String op;
    private int rows, width;
    private float[] x, y, scale, bias, residual;

    @Setup(Level.Trial)
    public void setup() {
        String[] kind = shape.split(":");
        op = kind[0];
        int[] d = RandomWeights.dims(kind[1], 2);
        rows = d[0];
        width = d[1];
        x = RandomWeights.floats(rows * width, 1);
        y = new float[rows * width];
        scale = RandomWeights.floats(width, 2);
        bias = RandomWeights.floats(width, 3);
        residual = RandomWeights.floats(rows * width, 4);
        ops = OpsChoice.of(impl, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OpsChoice.close(ops);
    }

    @Benchmark
    public float[] norm() {
        switch (op) {
            case "layerNorm" -> ops.layerNorm(x, rows, width, scale, bias, 1e-6f, y);
            case "rmsNorm" -> ops.rmsNorm(x, 0, rows, width, scale, 1e-6f, y, 0);
            case "postNorm" -> {    // the residual grows by one normalised row per call, far from overflow in a run
                ops.rmsNorm(x, 0, rows, width, scale, 1e-6f, y, 0);
                ops.add(residual, y, rows * width);
                return residual;
            }
            default -> throw new IllegalStateException("unknown op " + op);
        }
        return y;
    }
}
