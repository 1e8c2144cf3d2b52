package paligemma4j.kernels;

/**
 * Per-thread scratch buffers of the JVM backend, by slot, grown on demand and reused, so that a call allocates
 * nothing but its task bookkeeping. Float slots: 0 caller-wide partial sums / split x, or a task's attention
 * logits; 1 packed W block; 2 widened f16 row or GELU chunk; 3 caller-wide packed keys; 4 GEMM or attention
 * tile, or the unembedding's lane sums; 5 caller-wide packed x (GEMM); 6 caller-wide packed values (attention).
 * "Caller-wide" buffers belong to the calling thread and are shared by the tasks of one call (disjoint regions).
 */
final class Scratch {

    static final int PARTIAL = 0, PACKED_W = 1, WIDENED = 2, PACKED_KEYS = 3, TILE = 4, PACKED_X = 5, PACKED_VALUES = 6;

    private final ThreadLocal<float[][]> floats = ThreadLocal.withInitial(() -> new float[7][0]);
    private final ThreadLocal<short[][]> shorts = ThreadLocal.withInitial(() -> new short[1][0]);

    /** Slot {@code slot} of the current thread, at least {@code size} floats. */
    float[] floats(int slot, int size) {
        float[][] mine = floats.get();
        if (mine[slot].length < size) {
            mine[slot] = new float[size];
        }
        return mine[slot];
    }

    /** 16-bit scratch of the current thread (f16 rows before widening), at least {@code size} long. */
    short[] shorts(int size) {
        short[][] mine = shorts.get();
        if (mine[0].length < size) {
            mine[0] = new short[size];
        }
        return mine[0];
    }
}
