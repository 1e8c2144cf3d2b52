package paligemma4j.model;

import paligemma4j.kernels.AttentionShape;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Rows;
import paligemma4j.kernels.Weight;

/** Another backend's operations with the weights kept as stored ({@link Ops}'s own prepare and linear). */
record StoredWeightsOps(Ops inner) implements Ops {

    @Override
    public void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        inner.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
    }

    @Override
    public void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        inner.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
    }

    @Override
    public void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y) {
        inner.layerNorm(x, rows, width, scale, bias, eps, y);
    }

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff) {
        inner.rmsNorm(x, xOff, rows, width, scale, eps, y, yOff);
    }

    @Override
    public void gelu(float[] x, int n) {
        inner.gelu(x, n);
    }

    @Override
    public void geluGate(float[] gate, float[] up, int n) {
        inner.geluGate(gate, up, n);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        inner.add(x, y, n);
    }

    @Override
    public void scale(float[] x, int off, int n, float s) {
        inner.scale(x, off, n, s);
    }

    @Override
    public void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base) {
        inner.rope(x, rows, rowStride, heads, headDim, positions, base);
    }

    @Override
    public void attention(AttentionShape shape, Rows q, int rows, Rows k, Rows v, int[] visible, Rows out) {
        inner.attention(shape, q, rows, k, v, visible, out);
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        return inner.argmax(x, off, n);
    }
}
