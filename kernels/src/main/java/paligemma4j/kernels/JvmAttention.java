package paligemma4j.kernels;

/**
 * The JVM backend's attention: keys and values packed in panels once per KV head when enough queries share
 * them, then blocks of query rows of one head per task (the GEMM micro-kernel's row count when there are that
 * many, else four), or four heads of one row that share a KV head; very few queries go one (row, head) at a time
 * over the unpacked cache. Every query's sums are formed in the same order whichever way it is run.
 */
final class JvmAttention {

    /** Query vectors per KV head from which packing its keys and values once pays off. */
    private static final int PACK_KV_MIN_QUERIES = 4;

    private final WorkerPool pool;
    private final Scratch scratch;

    JvmAttention(WorkerPool pool, Scratch scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** {@link Ops#attention}; {@code kView} and {@code vView} must share their offset and stride (a KV cache's layout). */
    void attention(AttentionShape s, Rows qView, int rows, Rows kView, Rows vView, int[] visible, Rows outView) {
        OpChecks.attention(s, qView, rows, kView, vView, visible, outView);
        if (kView.offset() != vView.offset() || kView.stride() != vView.stride()) {
            throw new IllegalArgumentException("attention: keys (offset " + kView.offset() + ", stride " + kView.stride()
                    + ") and values (offset " + vView.offset() + ", stride " + vView.stride() + ") must share their layout");
        }
        float[] q = qView.data(), k = kView.data(), v = vView.data(), out = outView.data();
        int qBase = qView.offset(), qStride = qView.stride(), kvBase = kView.offset(), kvStride = kView.stride();
        int outBase = outView.offset(), outStride = outView.stride();
        int heads = s.heads(), kvHeads = s.kvHeads(), headDim = s.headDim();
        float qDivisor = s.qDivisor(), softCap = s.softCap();
        int group = heads / kvHeads;
        int maxVisible = 0;
        for (int r = 0; r < rows; r++) {
            maxVisible = Math.max(maxVisible, visible[r]);
        }
        if (rows * group < PACK_KV_MIN_QUERIES) {
            int scratchSize = headDim + maxVisible;
            pool.run(rows * heads, t -> {
                int r = t / heads, h = t % heads;
                int outOff = outBase + r * outStride + h * headDim;
                if (visible[r] == 0) {
                    java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
                    return;
                }
                AttentionKernels.head(q, qBase + r * qStride + h * headDim, headDim, qDivisor, softCap, k, v, kvStride,
                        kvBase + (h / group) * headDim, visible[r], scratch.floats(Scratch.PARTIAL, scratchSize), out, outOff);
            });
            return;
        }
        // keys and values packed in panels once per KV head, shared by every query that reads them
        int n = maxVisible;
        int kSize = AttentionKernels.packedKeysSize(n, headDim), vSize = AttentionKernels.packedValuesSize(n, headDim);
        float[] kP = scratch.floats(Scratch.PACKED_KEYS, kvHeads * kSize), vP = scratch.floats(Scratch.PACKED_VALUES, kvHeads * vSize);
        int keyPanels = AttentionKernels.panels(n), dimPanels = AttentionKernels.panels(headDim);
        int keyChunk = Math.max(1, JvmProducts.ceilDiv(keyPanels, pool.threads()));
        int keyTasks = JvmProducts.ceilDiv(keyPanels, keyChunk), packTasks = keyTasks + dimPanels;
        pool.run(kvHeads * packTasks, t -> {
            int g = t / packTasks, task = t % packTasks;
            if (task < keyTasks) {
                AttentionKernels.packKeys(k, kvStride, kvBase + g * headDim, n, headDim, kP, g * kSize, task * keyChunk,
                        Math.min(keyPanels, (task + 1) * keyChunk));
            } else {
                AttentionKernels.packValues(v, kvStride, kvBase + g * headDim, n, headDim, vP, g * vSize, task - keyTasks);
            }
        });
        int scratchSize = AttentionKernels.fourScratch(headDim, n);   // also ≥ the one-row form's headDim + panels·P
        if (rows < MatmulKernels.MR && group % 4 == 0) {
            // four heads of one row that share a KV head per task: every K/V load serves four queries
            int headBlocks = heads / 4;
            pool.run(rows * headBlocks, t -> {
                int r = t / headBlocks, h0 = (t % headBlocks) * 4, g = h0 / group;
                int outOff = outBase + r * outStride + h0 * headDim;
                if (visible[r] == 0) {
                    java.util.Arrays.fill(out, outOff, outOff + 4 * headDim, 0f);
                    return;
                }
                AttentionKernels.fourPacked(q, qBase + r * qStride + h0 * headDim, headDim, headDim, qDivisor, softCap, kP, g * kSize,
                        vP, g * vSize, n, visible[r], scratch.floats(Scratch.PARTIAL, scratchSize), out, outOff, headDim);
            });
            return;
        }
        // blocks of query rows of one head per task, heads in turn, every K/V load serving the whole block:
        // MR rows on the GEMM micro-kernel when there are that many, else four
        boolean tiles = rows >= MatmulKernels.MR;
        int block = tiles ? MatmulKernels.MR : 4, blocks = JvmProducts.ceilDiv(rows, block);
        int blockScratch = tiles ? AttentionKernels.tileScratch(headDim, n) : scratchSize;   // ≥ the one-row form's
        pool.run(heads * blocks, t -> {
            int h = t / blocks, r0 = (t % blocks) * block, g = h / group, valid = Math.min(block, rows - r0);
            float[] work = scratch.floats(Scratch.PARTIAL, blockScratch);
            if (visible[r0] > 0 && sameVisible(visible, r0, valid) && (tiles || valid == 4)) {
                int qAt = qBase + r0 * qStride + h * headDim, outAt = outBase + r0 * outStride + h * headDim;
                if (tiles) {
                    AttentionKernels.tilePacked(q, qAt, qStride, valid, headDim, qDivisor, softCap, kP, g * kSize, vP, g * vSize,
                            n, visible[r0], work, out, outAt, outStride, scratch.floats(Scratch.TILE, MatmulKernels.tileSize()));
                } else {
                    AttentionKernels.fourPacked(q, qAt, qStride, headDim, qDivisor, softCap, kP, g * kSize, vP, g * vSize, n,
                            visible[r0], work, out, outAt, outStride);
                }
                return;
            }
            for (int r = r0; r < r0 + valid; r++) {              // rows that see different keys: one at a time
                int outOff = outBase + r * outStride + h * headDim;
                if (visible[r] == 0) {
                    java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
                    continue;
                }
                AttentionKernels.headPacked(q, qBase + r * qStride + h * headDim, headDim, qDivisor, softCap, kP, g * kSize,
                        v, kvStride, kvBase + g * headDim, visible[r], work, out, outOff);
            }
        });
    }

    /** Whether rows [r0, r0 + count) all see the same number of keys. */
    private static boolean sameVisible(int[] visible, int r0, int count) {
        for (int r = r0 + 1; r < r0 + count; r++) {
            if (visible[r] != visible[r0]) return false;
        }
        return true;
    }
}
