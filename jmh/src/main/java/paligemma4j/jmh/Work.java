package paligemma4j.jmh;

import java.util.Map;

/**
 * The work one benchmark call does, for the derived rate column: floating-point operations for the
 * compute-bound kernels (matmul, attention), bytes moved for the bandwidth-bound ones.
 *
 * @param amount FLOP or bytes per call
 * @param unit   "GFLOP/s" or "GB/s": what {@code amount / seconds / 1e9} is
 */
record Work(double amount, String unit) {

    static final String GFLOPS = "GFLOP/s";
    static final String GBS = "GB/s";

    /** The work of benchmark class {@code simpleName} at {@code params}; null if unknown. */
    static Work of(String simpleName, Map<String, String> params) {
        String shape = params.get("shape");
        if (shape == null) return null;
        return switch (simpleName) {
            case "MatmulBench" -> {
                int[] d = RandomWeights.dims(shape);
                yield new Work(2.0 * d[0] * d[1] * d[2] * RandomWeights.copies(shape), GFLOPS);
            }
            case "MatvecBench", "Q8MatvecBench" -> {
                int[] d = RandomWeights.dims(shape.startsWith("T") ? shape.substring(1) : shape);
                yield new Work((double) d[0] * d[1] * bytesPerWeight(params.get("dtype")) * RandomWeights.copies(shape), GBS);
            }
            case "AttentionBench" -> {
                int[] d = RandomWeights.dims(shape.substring(shape.indexOf(':') + 1));   // after a "cap50:" prefix
                yield new Work(4.0 * d[0] * d[4] * d[1] * d[3], GFLOPS);
            }
            case "NormBench" -> new Work((shape.startsWith("postNorm:") ? 20.0 : 8.0) * elements(shape), GBS);
            case "ElementwiseBench" -> {
                String op = shape.substring(0, shape.indexOf(':'));
                double perElement = switch (op) {
                    case "geluGate" -> 12;
                    case "argmax" -> 4;
                    default -> 8;
                };
                yield new Work(perElement * elements(shape), GBS);
            }
            default -> null;
        };
    }

    private static double bytesPerWeight(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "BF16", "F16" -> 2;
            case "Q8_0" -> 34.0 / 32;   // 32 int8 + one f16 scale per block
            default -> Double.NaN;
        };
    }

    private static double elements(String shape) {
        double n = 1;
        for (int v : RandomWeights.dims(shape.substring(shape.indexOf(':') + 1))) n *= v;
        return n;
    }
}
