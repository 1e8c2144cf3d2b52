package paligemma4j.kernels;

import java.util.Arrays;

/**
 * One or more weight matrices ({@code in} inputs, {@code out_i} outputs, either {@link Weight.Orientation}) applied to the same input, with optional biases, in the form a
 * backend made of them ({@link Ops#prepare}): the q/k/v projections, the MLP's gate and up, or a single matrix.
 * What that form is (a mapped view, column blocks, a fused copy, device buffers) is the backend's business; the
 * model only applies it ({@link Ops#linear}).
 */
public interface Linear {

    /** How the model applies a prepared weight; a backend may pick a different form for each. */
    enum Use {
        /** Every call has many rows (the vision tower over all image tokens). */
        ENCODER,
        /** One prefix of many rows, then one row per generated token (the decoder). */
        DECODER
    }

    /** Number of matrices. */
    int count();

    /** Rows of every matrix (the input width). */
    int in();

    /** Columns of matrix i. */
    int out(int i);

    /** Storage type of matrix i. */
    WeightType type(int i);

    /** Matrices {@code [from, to)} alone, sharing this one's prepared data (no copy). */
    Linear parts(int from, int to);

    /** The weights as stored: what a backend without preparation of its own applies part by part. */
    static Stored stored(Weight[] parts, float[][] biases) {
        return new Stored(parts.clone(), biases == null ? new float[parts.length][] : biases.clone());
    }

    /** The matrices as given, applied one {@link Ops#matmul} each. */
    record Stored(Weight[] weights, float[][] biases) implements Linear {
        public Stored {
            OpChecks.linearParts(weights, biases);
        }

        @Override
        public int count() {
            return weights.length;
        }

        @Override
        public int in() {
            return weights[0].in();
        }

        @Override
        public int out(int i) {
            return weights[i].out();
        }

        @Override
        public WeightType type(int i) {
            return weights[i].type();
        }

        @Override
        public Stored parts(int from, int to) {
            return new Stored(Arrays.copyOfRange(weights, from, to), Arrays.copyOfRange(biases, from, to));
        }
    }
}
