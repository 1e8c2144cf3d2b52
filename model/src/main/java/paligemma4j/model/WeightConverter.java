package paligemma4j.model;

import java.util.function.BiConsumer;
import paligemma4j.kernels.Ops;
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

    /**
     * This conversion for a backend whose kernels read input-first matrices only ({@link Ops#readsInputFirst}):
     * the same storage, made so that such kernels can read it. {@link PaliGemma} picks it for such a backend;
     * only a conversion whose result cannot be transposed afterwards (Q8_0) differs.
     */
    default WeightConverter forInputFirst() {
        return this;
    }

    /** This conversion, telling {@code seen} each matrix and what it became; its {@link #forInputFirst} form is observed too. */
    default WeightConverter observed(BiConsumer<Weight, Weight> seen) {
        WeightConverter inner = this;
        return new WeightConverter() {
            @Override
            public Weight convert(Weight w) {
                Weight c = inner.convert(w);
                seen.accept(w, c);
                return c;
            }

            @Override
            public WeightConverter forInputFirst() {
                return inner.forInputFirst().observed(seen);
            }
        };
    }
}
