package paligemma4j.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Consumer;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Weight;

/**
 * The products {@code y_i = x · W_i + b_i} of one input with one or more weights (SigLIP's q/k/v, out,
 * MLP), as one {@link Ops#matmuls} call over the weights cut into column blocks ({@link Weight#columnBlocks};
 * block j of W_i writes columns {@code [j·block, …)} of y_i). The results are those of the whole
 * weights bit for bit; each GEMM task then reads its W block as one contiguous stream instead of a
 * few hundred bytes of every W row, which the hardware prefetchers follow poorly (SigLIP's MLP products
 * 15–40 % faster in a /tmp harness, alternating, see the README's performance notes). The blocks are
 * copies, so the checkpoint's bytes are handed to {@code release} (a mapped checkpoint then drops
 * them from memory: the copies replace them in the resident size).
 */
final class BlockedProducts {

    private final Weight[] parts;
    private final float[][] biases;
    /** Which of the call's outputs part p writes, at which column offset, with which row stride. */
    private final int[] output, yOffs, yStrides;

    private BlockedProducts(Weight[] parts, float[][] biases, int[] output, int[] yOffs, int[] yStrides) {
        this.parts = parts;
        this.biases = biases;
        this.output = output;
        this.yOffs = yOffs;
        this.yStrides = yStrides;
    }

    /**
     * The weights cut into blocks of {@code block} columns (those no wider stay whole, uncopied: with
     * {@link Integer#MAX_VALUE}, all of them), each copied weight's bytes then passed to {@code release}.
     * {@code biases} (per weight, null entries or null for none) are cut the same way.
     */
    static BlockedProducts columnBlocks(Weight[] ws, float[][] biases, int block, Consumer<MemorySegment> release) {
        int count = 0;
        for (Weight w : ws) count += w.cols() <= block ? 1 : (w.cols() + block - 1) / block;
        Weight[] parts = new Weight[count];
        float[][] partBiases = new float[count][];
        int[] output = new int[count], offs = new int[count], strides = new int[count];
        int p = 0;
        for (int i = 0; i < ws.length; i++) {
            Weight w = ws[i];
            float[] bias = biases == null ? null : biases[i];
            Weight[] blocks = w.cols() <= block ? new Weight[] {w} : Weight.columnBlocks(w, block, Arena.ofAuto());
            for (int j = 0; j < blocks.length; j++, p++) {
                parts[p] = blocks[j];
                int c0 = j * block;
                partBiases[p] = bias == null || blocks.length == 1 ? bias : Arrays.copyOfRange(bias, c0, c0 + blocks[j].cols());
                output[p] = i;
                offs[p] = c0;
                strides[p] = w.cols();
            }
            if (blocks.length > 1) release.accept(w.data());
        }
        return new BlockedProducts(parts, biases == null ? null : partBiases, output, offs, strides);
    }

    /** {@code ys[i] = x · W_i (+ b_i)} for the weights in the order given, x {@code [rows, in]}. */
    void apply(Ops ops, float[] x, int rows, float[]... ys) {
        float[][] out = new float[parts.length][];
        for (int p = 0; p < parts.length; p++) out[p] = ys[output[p]];
        ops.matmuls(x, rows, parts, biases, out, yOffs, yStrides);
    }
}
