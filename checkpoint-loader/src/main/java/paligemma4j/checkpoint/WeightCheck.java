package paligemma4j.checkpoint;

/**
 * Scans every floating-point tensor of a checkpoint for NaN and infinities ({@code --check-weights}): a
 * non-finite weight makes every answer meaningless, and the decoder can only see that it happened.
 */
public final class WeightCheck {
    private WeightCheck() {}

    /** The first non-finite value of one tensor, e.g. {@code llm/final_norm/scale: NaN at index 7 of 2048}. */
    public record Finding(String key, long index, float value, long size) {
        @Override
        public String toString() {
            return key + ": " + value + " at index " + index + " of " + size;
        }
    }

    /** The first non-finite element of {@code t}, or -1; integer and boolean tensors have none. */
    public static long firstNonFinite(Tensor t) {
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.BFLOAT16 && t.dtype() != DType.FLOAT16) return -1;
        long n = t.size();
        for (long i = 0; i < n; i++) {
            float v = t.getFloat(i);
            if (v - v != 0f) return i;   // NaN and ±Inf give NaN
        }
        return -1;
    }

    /**
     * {@code values} (a small tensor already copied out: a norm, a bias), or a {@link CheckpointException}
     * naming tensor {@code key} if one is NaN or infinite: checked where it costs nothing.
     */
    public static float[] requireFinite(String key, float[] values) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v - v != 0f) {
                throw new CheckpointException("tensor " + key + ": " + v + " at index " + i + " of " + values.length
                        + ": the checkpoint holds non-finite weights (--check-weights lists every such tensor)");
            }
        }
        return values;
    }

    /** Every tensor with a non-finite value, in file order. */
    public static java.util.List<Finding> scan(Checkpoint c) {
        java.util.List<Finding> out = new java.util.ArrayList<>();
        for (Tensor t : c.tensors().values()) {
            long i = firstNonFinite(t);
            if (i >= 0) out.add(new Finding(t.key(), i, t.getFloat(i), t.size()));
        }
        return out;
    }

    /**
     * Opens {@code file} and throws a {@link CheckpointException} naming every tensor that holds a NaN or an
     * infinity (up to five, then a count); returns the number of tensors checked.
     */
    public static int requireFinite(java.nio.file.Path file) {
        try (Checkpoint c = Checkpoint.open(file)) {
            java.util.List<Finding> bad = scan(c);
            if (!bad.isEmpty()) {
                StringBuilder sb = new StringBuilder(file + ": " + bad.size() + " tensor" + (bad.size() == 1 ? "" : "s")
                        + (bad.size() == 1 ? " holds" : " hold") + " NaN or infinity: ");
                for (int i = 0; i < Math.min(5, bad.size()); i++) sb.append(i == 0 ? "" : "; ").append(bad.get(i));
                if (bad.size() > 5) sb.append("; and ").append(bad.size() - 5).append(" more");
                throw new CheckpointException(sb.toString());
            }
            return c.tensors().size();
        }
    }
}
