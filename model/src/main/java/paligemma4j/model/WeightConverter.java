package paligemma4j.model;

import paligemma4j.kernels.Weight;

/**
 * A load-time change of a weight matrix's storage (e.g. bfloat16 → float32 or Q8_0), applied by
 * {@link PaliGemma#load(java.nio.file.Path, paligemma4j.kernels.Ops, WeightConverter)} to every
 * matrix the kernels read; biases, norm parameters and the KV cache are not weights and stay.
 */
@FunctionalInterface
public interface WeightConverter {

    /** Keeps every matrix as stored (mapped, no copy). */
    WeightConverter STORED = w -> w;

    /** {@code w} in the new storage, or {@code w} itself if nothing changes. */
    Weight convert(Weight w);
}
