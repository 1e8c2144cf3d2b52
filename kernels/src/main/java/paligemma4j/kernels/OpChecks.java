package paligemma4j.kernels;

/**
 * Argument checks shared by the backends, run once per call (never inside a kernel): a bad size
 * becomes one line naming the operation, the argument and expected vs actual, instead of an
 * index error from deep inside a loop.
 */
public final class OpChecks {

    private OpChecks() {
    }

    public static void atLeast(String op, String what, long have, long need) {
        if (have < need) {
            throw new IllegalArgumentException(op + ": " + what + " has " + have + " elements, needs at least " + need);
        }
    }

    public static void positive(String op, String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + value);
        }
    }

    public static void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        positive("matmul", "rows", rows);
        atLeast("matmul", "x [" + rows + ", " + w.in() + "]", x.length, (long) rows * w.in());
        if (bias != null) {
            atLeast("matmul", "bias from " + biasOff, bias.length, (long) biasOff + w.out());
        }
        if (rows > 0) {
            atLeast("matmul", "y (stride " + yStride + ", offset " + yOff + ")", y.length,
                    (long) (rows - 1) * yStride + yOff + w.out());
        }
    }

    public static void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        positive("matmulTransposed", "rows", rows);
        if (rows > 0) {
            atLeast("matmulTransposed", "x (stride " + xStride + ", offset " + xOff + ")", x.length,
                    (long) (rows - 1) * xStride + xOff + w.cols());
            atLeast("matmulTransposed", "y (stride " + yStride + ", offset " + yOff + ")", y.length,
                    (long) (rows - 1) * yStride + yOff + w.rows());
        }
    }

    public static void attention(AttentionShape s, Rows q, int rows, Rows k, Rows v, int[] visible, Rows out) {
        atLeast("attention", "visible", visible.length, rows);
        int maxVisible = 0;
        for (int r = 0; r < rows; r++) {
            positive("attention", "visible[" + r + "]", visible[r]);
            maxVisible = Math.max(maxVisible, visible[r]);
        }
        if (rows > 0) {
            atLeast("attention", "q", q.data().length, q.at(rows - 1, s.heads() * s.headDim()));
            atLeast("attention", "out", out.data().length, out.at(rows - 1, s.heads() * s.headDim()));
        }
        if (maxVisible > 0) {
            atLeast("attention", "k (" + maxVisible + " visible rows)", k.data().length, k.at(maxVisible - 1, s.kvHeads() * s.headDim()));
            atLeast("attention", "v (" + maxVisible + " visible rows)", v.data().length, v.at(maxVisible - 1, s.kvHeads() * s.headDim()));
        }
    }

    /** The parts of one {@link Linear}: at least one, all with the same inputs, biases (if any) as wide as their part. */
    public static void linearParts(Weight[] parts, float[][] biases) {
        if (parts.length == 0) throw new IllegalArgumentException("linear: needs at least one weight");
        if (biases != null) atLeast("linear", "biases", biases.length, parts.length);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].in() != parts[0].in()) {
                throw new IllegalArgumentException("linear: part " + i + " has " + parts[i].in() + " inputs, part 0 has "
                        + parts[0].in() + " (one input feeds every part)");
            }
            if (biases != null && biases[i] != null) atLeast("linear", "bias " + i, biases[i].length, parts[i].out());
        }
    }

    public static void rows(String op, String what, float[] a, int off, int rows, int width) {
        positive(op, "rows", rows);
        atLeast(op, what + " [" + rows + ", " + width + "] from " + off, a.length, (long) off + (long) rows * width);
    }
}
