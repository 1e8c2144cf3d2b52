package paligemma4j.model;

/**
 * Keys (after RoPE) and values of every layer, one row per sequence position, each row
 * {@code kvHeads · headDim} floats. In {@link Precision#BF16} mode every value is rounded to
 * bfloat16 when written, as big_vision's decode path does ({@code cache_dtype="bfloat16"},
 * docs/model.md#bf16-kv-cache); the attention then reads the rounded values.
 */
public final class KVCache {

    /** Storage precision of the cache entries. */
    public enum Precision {
        BF16, F32;

        /** {@code "bf16"} or {@code "f32"}, as the command lines spell them. */
        public static Precision parse(String name) {
            return switch (name) {
                case "bf16" -> BF16;
                case "f32" -> F32;
                default -> throw new IllegalArgumentException("KV cache precision must be bf16 or f32, got '" + name + "'");
            };
        }
    }

    private final float[][] keys;
    private final float[][] values;
    private final int rowWidth;
    private final int capacity;
    private final Precision precision;

    public KVCache(int layers, int capacity, int rowWidth, Precision precision) {
        this.keys = new float[layers][capacity * rowWidth];
        this.values = new float[layers][capacity * rowWidth];
        this.rowWidth = rowWidth;
        this.capacity = capacity;
        this.precision = precision;
    }

    /** Writes {@code rows} rows of new keys and values at sequence positions {@code [at, at + rows)}. */
    public void write(int layer, int at, float[] k, float[] v, int rows) {
        if (at + rows > capacity) {
            throw new IllegalStateException("KV cache full: " + (at + rows) + " positions > capacity " + capacity);
        }
        int n = rows * rowWidth, dst = at * rowWidth;
        System.arraycopy(k, 0, keys[layer], dst, n);
        System.arraycopy(v, 0, values[layer], dst, n);
        if (precision == Precision.BF16) {
            float[] kl = keys[layer], vl = values[layer];
            for (int i = dst; i < dst + n; i++) {
                kl[i] = Rounding.bf16(kl[i]);
                vl[i] = Rounding.bf16(vl[i]);
            }
        }
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    public int rowWidth() {
        return rowWidth;
    }

    public int capacity() {
        return capacity;
    }

    public Precision precision() {
        return precision;
    }

    /** Copies the first {@code positions} rows of every layer from {@code other} (beam search forks). */
    public void copyFrom(KVCache other, int positions) {
        int n = positions * rowWidth;
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(other.keys[l], 0, keys[l], 0, n);
            System.arraycopy(other.values[l], 0, values[l], 0, n);
        }
    }
}
