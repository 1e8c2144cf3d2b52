package paligemma4j.kernels;

/**
 * A row-major matrix view inside a float array: row r starts at {@code data[offset + r·stride]}. Lets an
 * operation read or write one head's columns of a wider buffer (q of head h: offset h·headDim, stride
 * heads·headDim) without copies.
 */
public record Rows(float[] data, int offset, int stride) {

    public Rows {
        if (offset < 0 || stride < 0) {
            throw new IllegalArgumentException("rows view: offset " + offset + " and stride " + stride + " must be ≥ 0");
        }
    }

    /** The whole array as rows of {@code width}. */
    public static Rows of(float[] data, int width) {
        return new Rows(data, 0, width);
    }

    /** Index of element {@code col} of row {@code r}. */
    public int at(int r, int col) {
        return offset + r * stride + col;
    }
}
