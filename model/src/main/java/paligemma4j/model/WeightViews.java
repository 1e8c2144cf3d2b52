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
}
