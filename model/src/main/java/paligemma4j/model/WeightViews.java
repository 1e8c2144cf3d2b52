package paligemma4j.model;

import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/** Turns checkpoint tensors into kernel weights: matrices stay mapped in their stored type; vectors become float[]. */
final class WeightViews {
    private WeightViews() {}

    /** {@code t} viewed as a [rows, cols] matrix (its element count must match); no copy. */
    static Weight matrix(Tensor t, int rows, int cols) {
        if (t.size() != (long) rows * cols) {
            throw new CheckpointException("tensor " + t.key() + ": " + t.size() + " elements cannot be viewed as ["
                    + rows + ", " + cols + "]");
        }
        WeightType type = switch (t.dtype()) {
            case FLOAT32 -> WeightType.F32;
            case BFLOAT16 -> WeightType.BF16;
            case FLOAT16 -> WeightType.F16;
            default -> throw new CheckpointException("tensor " + t.key() + ": weights must be float32, bfloat16 or "
                    + "float16, found " + t.dtype().jsonName);
        };
        return new Weight(t.data(), type, rows, cols);
    }

    /** A small tensor (bias, norm scale) as float32. */
    static float[] vector(Tensor t) {
        return t.toFloatArray();
    }

    /**
     * RMSNorm offsets {@code s} adjusted so that the kernel's float32 {@code 1 + s'} equals big_vision's
     * {@code 1 + s} computed in the parameter's own dtype (a Python scalar plus a bf16/f16 array stays
     * bf16/f16; spec §9.9). For float32 parameters this is {@code s} itself.
     */
    static float[] rmsNormOffsets(Tensor t) {
        float[] s = t.toFloatArray();
        for (int i = 0; i < s.length; i++) s[i] = Rounding.toDtype(1f + s[i], t.dtype()) - 1f;
        return s;
    }
}
