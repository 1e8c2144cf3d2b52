package paligemma4j.model;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;

/** Reads golden .npz files written by the scripts under scripts/ (through our own npz loader). */
final class Golden implements AutoCloseable {

    private final Checkpoint npz;

    Golden(Path file) {
        this.npz = Checkpoint.open(file);
    }

    Tensor get(String key) {
        return npz.get(key);
    }

    boolean has(String key) {
        return npz.tensors().containsKey(key);
    }

    int scalar(String key) {
        return (int) npz.get(key).getFloat(0);
    }

    int[] ints(String key) {
        Tensor t = npz.get(key);
        int[] v = new int[(int) t.size()];
        for (int i = 0; i < v.length; i++) v[i] = (int) t.getFloat(i);
        return v;
    }

    float[] floats(String key) {
        return npz.get(key).toFloatArray();
    }

    /** Row {@code row} of a 2-D float tensor. */
    float[] row(String key, int row) {
        Tensor t = npz.get(key);
        int cols = (int) t.dim(-1);
        float[] out = new float[cols];
        t.copyTo((long) row * cols, out, 0, cols);
        return out;
    }

    /** Item {@code i} of a ragged array stored as {@code key} plus {@code offsetsKey}. */
    int[] ragged(String key, String offsetsKey, int i) {
        int[] all = ints(key), off = ints(offsetsKey);
        return java.util.Arrays.copyOfRange(all, off[i], off[i + 1]);
    }

    String utf8(String key, String offsetsKey, int i) {
        Tensor t = npz.get(key);
        int[] off = ints(offsetsKey);
        byte[] b = new byte[off[i + 1] - off[i]];
        for (int k = 0; k < b.length; k++) b[k] = (byte) t.getFloat(off[i] + k);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        npz.close();
    }
}
