package paligemma4j.eval.refcoco;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.eval.EvalException;

/**
 * The VQ-VAE mask decoder of big_vision's segmentation evaluator (model "oi", weights
 * {@code vae-oid.npz}, a PyTorch state_dict: Conv2d {@code [out, in, kh, kw]}, ConvTranspose2d
 * {@code [in, out, kh, kw]}). 16 codebook indices → 4×4 grid → 64×64 float mask logits
 * (spec eval-protocols §5.4, paligemma-model §7.4). All widths are read from the file. Activations
 * are float32 (HWC), each output value accumulated in double.
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

    /** A conv layer: weight in the file's layout, its shape and bias. */
    private record Conv(String name, float[] w, int[] shape, float[] b) {}

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
                throw new EvalException(file + ": " + block[2].name + ".weight has " + block[2].shape[0]
                        + " output channels, expected " + c + " (residual add)");
            }
        }
        for (Conv u : ups) {
            if (u.shape[0] != c) {
                throw new EvalException(file + ": " + u.name + ".weight " + Arrays.toString(u.shape)
                        + " expected " + c + " input channels (ConvTranspose2d [in, out, kh, kw])");
            }
            c = u.shape[1];
        }
        expect(out, "in", c, file);
        if (out.shape[0] != 1) throw new EvalException(file + ": decoder.12.weight must have 1 output channel");
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
        float[] y = new float[s * s * co];
        for (int oy = 0; oy < s; oy++) {
            for (int ox = 0; ox < s; ox++) {
                for (int o = 0; o < co; o++) {
                    double acc = c.b[o];
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy + ky - pad;
                        if (iy < 0 || iy >= s) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ox + kx - pad;
                            if (ix < 0 || ix >= s) continue;
                            int xb = (iy * s + ix) * ci;
                            int wb = (o * ci * kh + ky) * kw + kx; // W[o][i][ky][kx] at ((o*ci+i)*kh+ky)*kw+kx
                            for (int i = 0; i < ci; i++) acc += x[xb + i] * c.w[wb + i * kh * kw];
                        }
                    }
                    float v = (float) acc;
                    y[(oy * s + ox) * co + o] = relu && v < 0 ? 0f : v;
                }
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
        int so = 2 * s;
        float[] y = new float[so * so * co];
        double[] acc = new double[co];
        for (int oy = 0; oy < so; oy++) {
            for (int ox = 0; ox < so; ox++) {
                for (int o = 0; o < co; o++) acc[o] = c.b[o];
                for (int ky = 0; ky < kh; ky++) {
                    int ty = oy + 1 - ky; // = 2·iy
                    if (ty < 0 || (ty & 1) != 0 || ty / 2 >= s) continue;
                    int iy = ty / 2;
                    for (int kx = 0; kx < kw; kx++) {
                        int tx = ox + 1 - kx;
                        if (tx < 0 || (tx & 1) != 0 || tx / 2 >= s) continue;
                        int xb = (iy * s + tx / 2) * ci;
                        for (int i = 0; i < ci; i++) {
                            double xv = x[xb + i];
                            if (xv == 0) continue;
                            int wb = ((i * co) * kh + ky) * kw + kx; // W[i][o][ky][kx]
                            for (int o = 0; o < co; o++) acc[o] += xv * c.w[wb + o * kh * kw];
                        }
                    }
                }
                int yb = (oy * so + ox) * co;
                for (int o = 0; o < co; o++) {
                    float v = (float) acc[o];
                    y[yb + o] = v < 0 ? 0f : v;
                }
            }
        }
        return y;
    }

    private static int[] need(Map<String, int[]> shapes, String key, String file, int rank) {
        int[] s = shapes.get(key);
        if (s == null) throw new EvalException(file + ": no tensor '" + key + "' (not a vae-oid.npz VQ-VAE)");
        if (s.length != rank) {
            throw new EvalException(file + ": " + key + " has shape " + Arrays.toString(s) + ", expected rank " + rank);
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
            throw new EvalException(file + ": " + name + ".bias has " + bs[0] + " entries, expected " + outCh);
        }
        if (transposed && (ws[2] != 4 || ws[3] != 4)) {
            throw new EvalException(file + ": " + name + ".weight " + Arrays.toString(ws) + ", expected a 4x4 kernel");
        }
        return new Conv(name, arrays.get(name + ".weight"), ws, arrays.get(name + ".bias"));
    }

    private static void expect(Conv c, String what, int inCh, String file) {
        if (c.shape[1] != inCh) {
            throw new EvalException(file + ": " + c.name + ".weight " + Arrays.toString(c.shape) + " expected "
                    + inCh + " input channels");
        }
    }
}
