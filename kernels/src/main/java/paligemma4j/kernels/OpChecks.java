package paligemma4j.kernels;

/**
 * Argument checks shared by the backends, run once per call (never inside a kernel): a bad size
 * becomes one line naming the operation, the argument and expected vs actual, instead of an
 * index error from deep inside a loop.
 */
final class OpChecks {

    private OpChecks() {
    }

    static void atLeast(String op, String what, long have, long need) {
        if (have < need) {
            throw new IllegalArgumentException(op + ": " + what + " has " + have + " elements, needs at least " + need);
        }
    }

    static void positive(String op, String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 0, got " + value);
        }
    }

    static void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        positive("matmul", "rows", rows);
        atLeast("matmul", "x [" + rows + ", " + w.rows() + "]", x.length, (long) rows * w.rows());
        if (bias != null) {
            atLeast("matmul", "bias from " + biasOff, bias.length, (long) biasOff + w.cols());
        }
        if (rows > 0) {
            atLeast("matmul", "y (stride " + yStride + ", offset " + yOff + ")", y.length,
                    (long) (rows - 1) * yStride + yOff + w.cols());
        }
    }

    static void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        positive("matmulTransposed", "rows", rows);
        if (rows > 0) {
            atLeast("matmulTransposed", "x (stride " + xStride + ", offset " + xOff + ")", x.length,
                    (long) (rows - 1) * xStride + xOff + w.cols());
            atLeast("matmulTransposed", "y (stride " + yStride + ", offset " + yOff + ")", y.length,
                    (long) (rows - 1) * yStride + yOff + w.rows());
        }
    }

    static void attention(float[] q, int qStride, int rows, int heads, int headDim, float[] k, float[] v,
                          int kvStride, int kvHeads, int[] visible, float[] out, int outStride) {
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        atLeast("attention", "visible", visible.length, rows);
        int maxVisible = 0;
        for (int r = 0; r < rows; r++) {
            positive("attention", "visible[" + r + "]", visible[r]);
            maxVisible = Math.max(maxVisible, visible[r]);
        }
        if (rows > 0) {
            atLeast("attention", "q", q.length, (long) (rows - 1) * qStride + (long) heads * headDim);
            atLeast("attention", "out", out.length, (long) (rows - 1) * outStride + (long) heads * headDim);
        }
        if (maxVisible > 0) {
            long need = (long) (maxVisible - 1) * kvStride + (long) kvHeads * headDim;
            atLeast("attention", "k (" + maxVisible + " visible rows)", k.length, need);
            atLeast("attention", "v (" + maxVisible + " visible rows)", v.length, need);
        }
    }

    static void rows(String op, String what, float[] a, int off, int rows, int width) {
        positive(op, "rows", rows);
        atLeast(op, what + " [" + rows + ", " + width + "] from " + off, a.length, (long) off + (long) rows * width);
    }
}
