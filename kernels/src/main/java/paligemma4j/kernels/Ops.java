package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

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
     * {@code y[r*yStride + yOff + o] = Σ_i x[r*w.in() + i] · w.at(i, o) (+ bias[biasOff + o])}
     * for r in [0, rows), o in [0, w.out()), whichever way {@code w} is stored ({@link Weight.Orientation}).
     * {@code x} holds {@code rows} contiguous rows of width {@code w.in()}; {@code bias} may be null.
     */
    void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride);

    /**
     * The backend's own form of {@code parts} (each {@code in} inputs to {@code out_i} outputs, either orientation) with their biases
     * ({@code biases} null for none, or per part with null entries), applied together to one input by
     * {@link #linear}. The backend decides the form (and may make it in the background); results equal
     * {@link #matmul} of each part. {@code release} is told a part's bytes once the backend no longer reads
     * them (a mapped checkpoint then drops those pages); this default keeps the weights as stored.
     */
    default Linear prepare(Linear.Use use, Weight[] parts, float[][] biases, Consumer<MemorySegment> release) {
        return Linear.stored(parts, biases);
    }

    /**
     * Whether this backend's kernels read input-first {@code [in, out]} matrices only (TornadoVM's device kernels:
     * they transpose float and 16-bit matrices into their own copies, but Q8_0 blocks cannot be transposed, so an
     * output-first matrix must be quantized along its outputs). The model then loads through its converter's
     * {@code forInputFirst()} form. The JVM kernels read either orientation as stored.
     */
    default boolean readsInputFirst() {
        return false;
    }

    /** {@link #prepare} of one matrix. */
    default Linear prepare(Linear.Use use, Weight w, float[] bias, Consumer<MemorySegment> release) {
        return prepare(use, new Weight[] {w}, new float[][] {bias}, release);
    }

    /**
     * {@code ys[i] = x · W_i + b_i} for every part i of {@code w}: x holds {@code rows} contiguous rows of
     * width {@code w.in()}, {@code ys[i]} gets {@code rows} rows of {@code w.out(i)} values.
     */
    default void linear(float[] x, int rows, Linear w, Rows... ys) {
        if (!(w instanceof Linear.Stored stored)) {
            throw new IllegalArgumentException("linear: " + w.getClass().getSimpleName() + " was prepared by another backend");
        }
        OpChecks.atLeast("linear", "outputs", ys.length, w.count());
        for (int i = 0; i < w.count(); i++) {
            matmul(x, rows, stored.weights()[i], stored.biases()[i], 0, ys[i].data(), ys[i].offset(), ys[i].stride());
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
     * Attention with a per-row visibility rule. Query row r, head h ({@code q.at(r, h·headDim)}) is divided by
     * {@code shape.qDivisor()} (q/√d before q·k, as Flax does) and attends to key/value rows {@code [0, visible[r])}
     * of its KV head g = {@code shape.kvHead(h)} ({@code k.at(j, g·headDim)}, {@code v.at(j, g·headDim)}). Logits
     * and softmax (max-subtracted) in float32. Writes {@code out.at(r, h·headDim)}.
     */
    void attention(AttentionShape shape, Rows q, int rows, Rows k, Rows v, int[] visible, Rows out);

    /** Index of the largest of {@code x[off .. off+n)}; ties → lowest index (strict {@code >}). */
    int argmax(float[] x, int off, int n);
}
