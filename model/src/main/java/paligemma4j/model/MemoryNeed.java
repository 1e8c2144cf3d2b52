package paligemma4j.model;

import java.util.List;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.checkpoint.paligemma.SiglipConfig;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * What one run must keep resident, in bytes (docs/performance.md#memory): the decoder's weights as mapped (read every
 * token, so their page-cache pages must stay), the private copies made at load (converted matrices, Q8_0's joined
 * narrow matrices, the encoder's column blocks of input-first matrices; output-first ones, as Hugging Face stores
 * them, are used as mapped), the KV cache and the largest stage's activations. Mapped pages that a
 * conversion only reads once are reclaimable page cache and are not counted.
 */
public record MemoryNeed(long mappedWeights, long convertedWeights, long visionBlocks, long kvCache, long activations) {

    /** The JVM's own heap, code and threads. */
    static final long RUNTIME = 512L << 20;
    /** Prompt positions assumed beside the image tokens when the prompt is not yet known. */
    public static final int PROMPT_ALLOWANCE = 64;

    public long total() {
        return mappedWeights + convertedWeights + visionBlocks + kvCache + activations + RUNTIME;
    }

    /**
     * The need of {@code w} with every matrix converted to {@code target} (null: as stored), for sequences of the
     * image tokens and {@code textPositions} more (prompt and generated tokens) in {@code beams} KV caches.
     */
    public static MemoryNeed of(PaliGemmaWeights w, WeightType target, int textPositions, int beams) {
        GemmaConfig llm = w.config().llm();
        int positions = w.config().vision().numTokens() + textPositions;
        long mapped = 0, converted = 0;
        for (Weight m : w.llm().weights()) {
            if (target == null || m.type() == target) mapped += m.data().byteSize();
            else converted += bytes(m.rows(), m.cols(), target);
        }
        boolean inputFirst = w.llm().blocks().isEmpty() || !w.llm().blocks().get(0).out().outputFirst();
        if (target == WeightType.Q8_0 && llm.headDim() < 1024 && inputFirst) {   // q, k and v joined side by side once more
            converted += (long) llm.depth() * bytes(llm.width(), (llm.heads() + 2 * llm.kvHeads()) * llm.headDim(), target);
        }
        long vision = 0;
        for (Weight m : w.vision().weights()) {
            boolean same = target == null || m.type() == target;
            long b = same ? m.data().byteSize() : bytes(m.rows(), m.cols(), target);
            vision += same || m.outputFirst() ? b : 2 * b;   // an input-first converted copy lives until its blocks are made
        }
        long kv = 2L * 4 * llm.depth() * (long) positions * llm.kvHeads() * llm.headDim() * beams;
        return new MemoryNeed(mapped, converted, vision, kv, activations(w.config().vision(), llm, positions, beams));
    }

    /** Bytes of a [rows, cols] matrix in {@code type}. */
    static long bytes(int rows, int cols, WeightType type) {
        return type == WeightType.Q8_0 ? rows * Q8.rowBytes(cols) : (long) rows * cols * type.bytes;
    }

    /**
     * float32 buffers of the larger of the encoder and the prefill: the residual stream and its copies, the MLP's
     * hidden rows, every head's attention scores, and the logits of each beam.
     */
    static long activations(SiglipConfig v, GemmaConfig llm, int positions, int beams) {
        long n = v.numTokens();
        long encoder = n * (4L * v.width() + 2L * v.mlp()) + (long) v.heads() * n * n;
        long t = positions;
        long prefill = t * (4L * llm.width() + (llm.heads() + 2L * llm.kvHeads()) * llm.headDim() + 2L * llm.mlp())
                + (long) llm.heads() * t * t;
        return 4 * (Math.max(encoder, prefill) + 2L * beams * llm.vocab());
    }

    /** "19.3 GB: weights mapped 18.6 GB, …" with every non-zero part. */
    public String describe() {
        StringBuilder s = new StringBuilder(gb(total()) + " (");
        List<String> parts = new java.util.ArrayList<>();
        if (mappedWeights > 0) parts.add("decoder weights mapped " + gb(mappedWeights));
        if (convertedWeights > 0) parts.add("converted decoder weights " + gb(convertedWeights));
        parts.add("vision blocks " + gb(visionBlocks));
        parts.add("KV cache " + gb(kvCache));
        parts.add("activations " + gb(activations));
        parts.add("runtime " + gb(RUNTIME));
        return s.append(String.join(", ", parts)).append(')').toString();
    }

    /** Bytes as gigabytes (10^9) with one decimal. */
    public static String gb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
