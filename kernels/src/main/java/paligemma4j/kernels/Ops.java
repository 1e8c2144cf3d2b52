package paligemma4j.kernels;

/**
 * The narrow set of operations the PaliGemma forward pass is made of. Activations are
 * float32 arrays, row-major; weights are {@link Weight}s in their stored type; every model
 * constant (eps, scales, RoPE base) is an argument. Implementations: {@link NaiveOps} (scalar
 * reference), {@code JvmOps} (Vector API, all cores), and a TornadoVM one.
 *
 * <p>Offsets and strides are in elements. "Row" = one token.
 */
public interface Ops {

    /**
     * {@code y[r*yStride + yOff + o] = Σ_i x[r*w.rows() + i] · w[i, o] (+ bias[biasOff + o])}
     * for r in [0, rows), o in [0, w.cols()). {@code x} holds {@code rows} contiguous rows of
     * width {@code w.rows()}; {@code bias} may be null.
     */
    void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride);

    /**
     * Several products of one x: for every i, {@code matmul(x, rows, ws[i], biases[i], 0, ys[i],
     * yOffs[i], yStrides[i])} ({@code biases} null for none, or per weight, entries may be null). The
     * attention projections (Gemma: one weight per query head, then the key and value heads; SigLIP:
     * query, key and value with their biases) go through here, so an implementation can run them as
     * one parallel job over x read (and packed) once; the results equal the separate calls.
     */
    default void matmuls(float[] x, int rows, Weight[] ws, float[][] biases, float[][] ys, int[] yOffs,
                         int[] yStrides) {
        for (int i = 0; i < ws.length; i++) {
            matmul(x, rows, ws[i], biases == null ? null : biases[i], 0, ys[i], yOffs[i], yStrides[i]);
        }
    }

    /**
     * {@code y[r*yStride + yOff + o] = Σ_i x[xOff + r*xStride + i] · w[o, i]} for o in [0, w.rows()):
     * the tied unembedding {@code logits = h · Eᵀ} with E stored {@code [vocab, width]}.
     */
    void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride);

    /**
     * Flax LayerNorm per row: {@code μ = E[x]}, {@code var = max(0, E[x²] − μ²)},
     * {@code y = (x − μ) · (scale · rsqrt(var + eps)) + bias}, all float32.
     */
    void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y);

    /**
     * Gemma RMSNorm per row: {@code y = x · (1/sqrt(mean(x²) + eps)) · (1 + scale)}; {@code scale}
     * is the stored offset.
     */
    void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff);

    /** In place: {@code x[i] = gelu_tanh(x[i])} for i in [0, n). */
    void gelu(float[] x, int n);

    /** {@code gate[i] = gelu_tanh(gate[i]) · up[i]} for i in [0, n) (GeGLU). */
    void geluGate(float[] gate, float[] up, int n);

    /** {@code x[i] += y[i]} for i in [0, n) (residual add). */
    void add(float[] x, float[] y, int n);

    /** {@code x[off + i] *= s} for i in [0, n). */
    void scale(float[] x, int off, int n, float s);

    /**
     * Split-halves RoPE in place on {@code rows × heads} vectors of {@code headDim} at
     * {@code x[r*rowStride + h*headDim ...]}: for i < headDim/2, {@code τ_i = base^(2i/headDim)}
     * computed in double and rounded to float, {@code θ = (float) positions[r] · (1f / τ_i)} in float32,
     * {@code (a, b) = (x[i], x[i + headDim/2])} → {@code (a cosθ − b sinθ, b cosθ + a sinθ)}.
     * (big_vision writes {@code positions / timescale}; XLA on CPU evaluates the division by that
     * constant as a multiply by its reciprocal when positions broadcast over several rows, as in every
     * prefill: measured stage by stage against big_vision dumps (scripts/parity), where true division
     * moved the LLM stages of a 1024-image-token checkpoint by 3e-4 relative. jax's float32
     * {@code 10000 ** (2i/d)} equals the rounded double; see {@code scripts/kernels/make_naive_golden.py}.)
     */
    void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base);

    /**
     * Multi-head attention with a shared-prefix visibility rule. Query row r, head h reads
     * {@code q[r*qStride + h*headDim ...]}, is divided by {@code qDivisor} (q/√d before q·k, as Flax
     * does; 1/16 in Gemma is exact either way), and attends to key/value rows
     * {@code [0, visible[r])} of its KV head {@code h / (heads / kvHeads)} at
     * {@code k[j*kvStride + kvHead*headDim ...]}. Logits and softmax (max-subtracted) in float32.
     * Writes {@code out[r*outStride + h*headDim ...]}.
     */
    void attention(float[] q, int qStride, int rows, int heads, int headDim, float qDivisor,
                   float[] k, float[] v, int kvStride, int kvHeads, int[] visible,
                   float[] out, int outStride);

    /** Index of the largest of {@code x[off .. off+n)}; ties → lowest index (strict {@code >}). */
    int argmax(float[] x, int off, int n);
}
