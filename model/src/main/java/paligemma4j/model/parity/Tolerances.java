package paligemma4j.model.parity;

/**
 * Default per-stage bounds on {@link StageDiff#maxRel} (error relative to the stage's largest
 * magnitude), and why.
 *
 * <ul>
 *   <li>Pixels: both sides run the same integer resize and truncation to uint8, then one float
 *       multiply-add: exact up to one float32 rounding → 1e-6.</li>
 *   <li>Every other float32 stage: both sides compute in float32 with the same formulas (Flax
 *       fast-variance LayerNorm, RMSNorm with (1+s), tanh GELU, q/√d), but sum dot products in a
 *       different order (XLA vs our tiling). Each dot product of length n carries a relative error of
 *       about √n·ε (ε = 2⁻²⁴ ≈ 6e-8) for random-sign terms, ≈ 2e-6 for n = 1152; residual streams
 *       keep it from compounding much over layers → 1e-5, the bound parity requires; {@link #LLM}
 *       for the Gemma stages (measured, see there).</li>
 *   <li>bf16/f16 checkpoints: weights are widened to float32 exactly, and big_vision on CPU rounds only
 *       the √D embedding constant to the table's dtype (the model does the same), so the same bound
 *       holds. The bf16 KV cache is checked through the decoded tokens, not through activations.</li>
 * </ul>
 */
public final class Tolerances {
    private Tolerances() {}

    public static final double PIXELS = 1e-6;
    public static final double FLOAT32 = 1e-5;
    /**
     * Gemma layer outputs, final norm and logits. Measured against 66 big_vision dumps on three tiny
     * checkpoints (scripts/parity/java_parity_table.py): worst 7.4e-6 / 1.1e-5 / 6.0e-6 (layers / final norm /
     * logits) with 256 image tokens, 2.6e-5 / 4.2e-5 / 1.4e-5 with 1024: the gap grows with the sequence
     * position, where both sides' float32 RoPE angles reach ~1000 rad and XLA's float32 sin/cos differ from
     * our correctly rounded ones; the final RMSNorm divides by a small RMS. A 3 % change of one layer's
     * weights moves its stage by 1.6e-2, 300× this bound.
     */
    public static final double LLM = 5e-5;

    public static double forStage(String name) {
        if (name.equals(paligemma4j.model.Stages.PIXELS)) return PIXELS;
        if (name.startsWith("llm/layer_") || name.equals(paligemma4j.model.Stages.FINAL_NORM)
                || name.equals(paligemma4j.model.Stages.PREFIX_LOGITS)) return LLM;
        return FLOAT32;
    }
}
