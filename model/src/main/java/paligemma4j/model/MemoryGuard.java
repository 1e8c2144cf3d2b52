package paligemma4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.WeightType;

/**
 * Checked by {@link PaliGemma#load(java.nio.file.Path, paligemma4j.kernels.Ops, WeightConverter,
 * paligemma4j.checkpoint.paligemma.GemmaSettings.Overrides, MemoryGuard)} once the checkpoint is mapped and before
 * any weight is converted: throws {@link NotEnoughMemoryException} when the run cannot fit.
 */
@FunctionalInterface
public interface MemoryGuard {

    MemoryGuard NONE = w -> { };

    void check(PaliGemmaWeights weights);

    /**
     * A run with matrices converted to {@code target} (null: as stored), sequences of the image tokens and
     * {@code textPositions} more (prompt and generated) in {@code beams} caches; {@code weightsOption} says whether the command offers
     * {@code --weights q8}. {@code available} is usually {@link SystemMemory#available()}.
     */
    static MemoryGuard of(WeightType target, int textPositions, int beams, boolean weightsOption,
                          Supplier<OptionalLong> available) {
        return w -> {
            OptionalLong free = available.get();
            if (free.isEmpty()) return;
            MemoryNeed need = MemoryNeed.of(w, target, textPositions, beams);
            if (need.total() <= free.getAsLong()) return;
            List<String> helps = new ArrayList<>();
            if (target != WeightType.Q8_0) {
                MemoryNeed q8 = MemoryNeed.of(w, WeightType.Q8_0, textPositions, beams);
                String fits = q8.total() <= free.getAsLong() ? "" : " (more than is available too)";
                String option = weightsOption ? "--weights q8" : "Q8_0 weights (bench --weights q8)";
                helps.add("with " + option + " it needs about " + MemoryNeed.gb(q8.total()) + fits);
            }
            if (need.kvCache() + need.activations() > need.total() / 10) {
                helps.add("a shorter sequence (--max-tokens) or fewer beams shrinks the KV cache and activations");
            }
            helps.add("-Dpaligemma4j.memoryCheck=off in PALIGEMMA_JAVA_OPTS skips this check");
            throw new NotEnoughMemoryException(w.config().name() + " needs about " + need.describe()
                    + " but MemAvailable is " + MemoryNeed.gb(free.getAsLong()) + "; " + String.join("; ", helps));
        };
    }
}
