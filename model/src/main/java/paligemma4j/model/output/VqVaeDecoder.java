package paligemma4j.model.output;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;

/**
 * The VQ-VAE mask decoder of big_vision's segmentation evaluator (model "oi", weights
 * {@code vae-oid.npz}, a PyTorch state_dict: Conv2d {@code [out, in, kh, kw]}, ConvTranspose2d
 * {@code [in, out, kh, kw]}). 16 codebook indices → 4×4 grid → 64×64 float mask logits
 * (docs/model.md#vq-vae-mask-decoder). All widths are read from the file. Activations
 * are float32 (HWC) with float32 accumulation, as the float32 JAX reference; weights are re-laid out once
 * so the inner loop runs over contiguous output channels. Immutable and thread-safe.
 */
public final class VqVaeDecoder {
    /** Codes per mask and the side of their grid. */
    public static final int CODES = 16, GRID = 4;

    private final float[] codebook; // [numCodes, dim]
    private final int numCodes, dim;
    private final Conv in;
    private final Conv[][] resBlocks;
    private final Conv[] ups;
    private final Conv out;

    /** A conv layer: its shape in the file's layout, the weight packed as [ky][kx][in][out], and the bias. */
    private record Conv(String name, float[] packed, int[] shape, float[] b) {}

    private VqVaeDecoder(Map<String, float[]> arrays, Map<String, int[]> shapes, String file) {
        int[] es = need(shapes, "_vq_vae._embedding", file, 2);
        numCodes = es[0];
        dim = es[1];
        codebook = arrays.get("_vq_vae._embedding");
        in = conv(arrays, shapes, "decoder.0", file);
        resBlocks = new Conv[][] {
            {conv(arrays, shapes, "decoder.2.net.0", file), conv(arrays, shapes, "decoder.2.net.2", file),
                conv(arrays, shapes, "decoder.2.net.4", file)},
            {conv(arrays, shapes, "decoder.3.net.0", file), conv(arrays, shapes, "decoder.3.net.2", file),
                conv(arrays, shapes, "decoder.3.net.4", file)}};
        ups = new Conv[] {conv(arrays, shapes, "decoder.4", file), conv(arrays, shapes, "decoder.6", file),
            conv(arrays, shapes, "decoder.8", file), conv(arrays, shapes, "decoder.10", file)};
        out = conv(arrays, shapes, "decoder.12", file);
        // shape chain checks (one line naming the key on mismatch)
        expect(in, "in", dim, file);
        int c = in.shape[0];
        for (Conv[] block : resBlocks) {
            expect(block[0], "in", c, file);
            expect(block[1], "in", block[0].shape[0], file);
            expect(block[2], "in", block[1].shape[0], file);
            if (block[2].shape[0] != c) {
                throw new CheckpointException(file + ": " + block[2].name + ".weight has " + block[2].shape[0]
                        + " output channels, expected " + c + " (residual add)");
            }
        }
        for (Conv u : ups) {
            if (u.shape[0] != c) {
                throw new CheckpointException(file + ": " + u.name + ".weight " + Arrays.toString(u.shape)
                        + " expected " + c + " input channels (ConvTranspose2d [in, out, kh, kw])");
            }
            c = u.shape[1];
        }
        expect(out, "in", c, file);
        if (out.shape[0] != 1) throw new CheckpointException(file + ": decoder.12.weight must have 1 output channel");
    }

    /** Reads the decoder weights (the encoder is not needed) from a {@code vae-oid.npz}-format file. */
    public static VqVaeDecoder load(Path npz) {
        Map<String, float[]> arrays = new java.util.HashMap<>();
        Map<String, int[]> shapes = new java.util.HashMap<>();
        try (Checkpoint ck = Checkpoint.open(npz)) {
            for (Map.Entry<String, Tensor> e : ck.tensors().entrySet()) {
                String k = e.getKey();
                if (!k.startsWith("_vq_vae.") && !k.startsWith("decoder.")) continue;
                Tensor t = e.getValue();
                arrays.put(k, t.toFloatArray());
                shapes.put(k, Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray());
            }
        }
        return new VqVaeDecoder(arrays, shapes, npz.toString());
    }

    /** For tests and callers holding arrays already: keys and layouts as in the npz. */
    public static VqVaeDecoder of(Map<String, float[]> arrays, Map<String, int[]> shapes) {
        return new VqVaeDecoder(arrays, shapes, "<arrays>");
    }

    public int embeddingDim() {
        return dim;
    }

    public int numCodes() {
        return numCodes;
    }

    /** Side of the output mask (4 · 2^number of transposed convs: 64). */
    public int maskSize() {
        return GRID << ups.length;
    }

    /** 16 codes (token k at row k/4, column k%4) → mask logits, row-major {@code maskSize()²}. */
    public float[] decode(int[] codes) {
        if (codes.length != CODES) throw new IllegalArgumentException("need " + CODES + " codes, got " + codes.length);
        float[] x = new float[GRID * GRID * dim];
        for (int j = 0; j < CODES; j++) {
            int c = codes[j];
            if (c < 0 || c >= numCodes) throw new IllegalArgumentException("code " + c + " outside [0, " + numCodes + ")");
            System.arraycopy(codebook, c * dim, x, j * dim, dim);
        }
        int s = GRID;
        x = conv2d(x, s, in, 0, true);
        for (Conv[] block : resBlocks) {
            float[] h = conv2d(x, s, block[0], 1, true);
            h = conv2d(h, s, block[1], 1, true);
            h = conv2d(h, s, block[2], 0, false);
            for (int i = 0; i < h.length; i++) h[i] += x[i];
            x = h;
        }
        for (Conv u : ups) {
            x = convTranspose(x, s, u);
            s *= 2;
        }
        return conv2d(x, s, out, 0, false);
    }

    /** Stride-1 conv, HWC input of side {@code s}, zero padding {@code pad}, PyTorch weight [out, in, kh, kw]. */
    private static float[] conv2d(float[] x, int s, Conv c, int pad, boolean relu) {
        int co = c.shape[0], ci = c.shape[1], kh = c.shape[2], kw = c.shape[3];
        float[] w = c.packed; // [ky][kx][i][o]
        float[] y = new float[s * s * co];
        float[] acc = new float[co];
        for (int oy = 0; oy < s; oy++) {
            for (int ox = 0; ox < s; ox++) {
                for (int o = 0; o < co; o++) acc[o] = c.b[o];
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy + ky - pad;
                    if (iy < 0 || iy >= s) continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox + kx - pad;
                        if (ix < 0 || ix >= s) continue;
                        accumulate(x, (iy * s + ix) * ci, ci, w, (ky * kw + kx) * ci * co, co, acc);
                    }
                }
                store(acc, y, (oy * s + ox) * co, relu);
            }
        }
        return y;
    }

    /**
     * PyTorch {@code ConvTranspose2d(k, stride 2, padding 1)} with weight [in, out, kh, kw], then
     * ReLU: {@code out[2·iy − 1 + ky][2·ix − 1 + kx][o] += in[iy][ix][i] · W[i][o][ky][kx]}.
     */
    private static float[] convTranspose(float[] x, int s, Conv c) {
        int ci = c.shape[0], co = c.shape[1], kh = c.shape[2], kw = c.shape[3];
        float[] w = c.packed; // [ky][kx][i][o]
        int so = 2 * s;
        float[] y = new float[so * so * co];
        float[] acc = new float[co];
        for (int oy = 0; oy < so; oy++) {
            for (int ox = 0; ox < so; ox++) {
                for (int o = 0; o < co; o++) acc[o] = c.b[o];
                for (int ky = 0; ky < kh; ky++) {
                    int ty = oy + 1 - ky; // = 2·iy
                    if (ty < 0 || (ty & 1) != 0 || ty / 2 >= s) continue;
                    for (int kx = 0; kx < kw; kx++) {
                        int tx = ox + 1 - kx;
                        if (tx < 0 || (tx & 1) != 0 || tx / 2 >= s) continue;
                        accumulate(x, ((ty / 2) * s + tx / 2) * ci, ci, w, (ky * kw + kx) * ci * co, co, acc);
                    }
                }
                store(acc, y, (oy * so + ox) * co, true);
            }
        }
        return y;
    }

    /** {@code acc[o] += Σ_i x[xb + i] · w[wb + i·co + o]}, skipping zero inputs (ReLU outputs). */
    private static void accumulate(float[] x, int xb, int ci, float[] w, int wb, int co, float[] acc) {
        for (int i = 0; i < ci; i++) {
            float xv = x[xb + i];
            if (xv == 0f) continue;
            int row = wb + i * co;
            for (int o = 0; o < co; o++) acc[o] += xv * w[row + o];
        }
    }

    private static void store(float[] acc, float[] y, int yb, boolean relu) {
        for (int o = 0; o < acc.length; o++) {
            float v = acc[o];
            y[yb + o] = relu && v < 0 ? 0f : v;
        }
    }

    /** The weight re-laid as [ky][kx][in][out] so the innermost loop runs over contiguous output channels. */
    private static float[] pack(float[] w, int[] shape, boolean transposed) {
        int a = shape[0], b = shape[1], kh = shape[2], kw = shape[3];
        int ci = transposed ? a : b, co = transposed ? b : a;
        float[] p = new float[w.length];
        for (int i0 = 0; i0 < a; i0++) {
            for (int i1 = 0; i1 < b; i1++) {
                int in = transposed ? i0 : i1, out = transposed ? i1 : i0;
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        p[((ky * kw + kx) * ci + in) * co + out] = w[((i0 * b + i1) * kh + ky) * kw + kx];
                    }
                }
            }
        }
        return p;
    }

    private static int[] need(Map<String, int[]> shapes, String key, String file, int rank) {
        int[] s = shapes.get(key);
        if (s == null) throw new CheckpointException(file + ": no tensor '" + key + "' (not a vae-oid.npz VQ-VAE)");
        if (s.length != rank) {
            throw new CheckpointException(file + ": " + key + " has shape " + Arrays.toString(s) + ", expected rank " + rank);
        }
        return s;
    }

    private static Conv conv(Map<String, float[]> arrays, Map<String, int[]> shapes, String name, String file) {
        int[] ws = need(shapes, name + ".weight", file, 4);
        int[] bs = need(shapes, name + ".bias", file, 1);
        boolean transposed = name.equals("decoder.4") || name.equals("decoder.6") || name.equals("decoder.8")
                || name.equals("decoder.10");
        int outCh = transposed ? ws[1] : ws[0];
        if (bs[0] != outCh) {
            throw new CheckpointException(file + ": " + name + ".bias has " + bs[0] + " entries, expected " + outCh);
        }
        if (transposed && (ws[2] != 4 || ws[3] != 4)) {
            throw new CheckpointException(file + ": " + name + ".weight " + Arrays.toString(ws) + ", expected a 4x4 kernel");
        }
        return new Conv(name, pack(arrays.get(name + ".weight"), ws, transposed), ws, arrays.get(name + ".bias"));
    }

    private static void expect(Conv c, String what, int inCh, String file) {
        if (c.shape[1] != inCh) {
            throw new CheckpointException(file + ": " + c.name + ".weight " + Arrays.toString(c.shape) + " expected "
                    + inCh + " input channels");
        }
    }
}
