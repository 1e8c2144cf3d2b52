package paligemma4j.kernels;

/**
 * The scalar reference implementation of {@link Ops}: one obvious float32 loop per operation,
 * in the order of operations of the JAX/Flax reference (big_vision), no FMA, no threads. Every
 * fast backend is tested against it; it is also usable as a (slow) backend on its own.
 */
public final class NaiveOps implements Ops {

    /** √(2/π) rounded to float32, as {@code jax.nn.gelu(approximate=True)} casts it. */
    public static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    /** The cubic coefficient of the tanh GELU approximation. */
    public static final float GELU_CUBIC = 0.044715f;

    /**
     * Each output is summed over i in increasing order, for either orientation (so both give the same bits);
     * the loops run i before o so an input-first weight is read row by row (the same sums, in the same order,
     * as the o-outer loop).
     */
    @Override
    public void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        int in = w.in(), out = w.out();
        float[] acc = new float[out];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(acc, 0f);
            for (int i = 0; i < in; i++) {
                float xi = x[r * in + i];
                for (int o = 0; o < out; o++) {
                    acc[o] += xi * w.at(i, o);
                }
            }
            for (int o = 0; o < out; o++) {
                y[r * yStride + yOff + o] = bias == null ? acc[o] : acc[o] + bias[biasOff + o];
            }
        }
    }

    @Override
    public void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        int width = w.cols();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < w.rows(); o++) {
                float acc = 0f;
                for (int i = 0; i < width; i++) {
                    acc += x[xOff + r * xStride + i] * w.get(o, i);
                }
                y[r * yStride + yOff + o] = acc;
            }
        }
    }

    /** Flax {@code LayerNorm}: fast variance, then {@code y = (x − μ) · (rsqrt(var + eps) · scale) + bias}. */
    @Override
    public void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y) {
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            float sum = 0f, sumSq = 0f;
            for (int i = 0; i < width; i++) {
                float v = x[base + i];
                sum += v;
                sumSq += v * v;
            }
            float mean = sum / width;
            float meanSq = sumSq / width;
            float var = Math.max(0f, meanSq - mean * mean);
            float inv = rsqrt(var + eps);
            for (int i = 0; i < width; i++) {
                float mul = inv * scale[i];
                y[base + i] = (x[base + i] - mean) * mul + bias[i];
            }
        }
    }

    /** big_vision Gemma {@code RMSNorm}: {@code (x · (1 / sqrt(mean(x²) + eps))) · (1 + scale)}. */
    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            int xb = xOff + r * width, yb = yOff + r * width;
            float sumSq = 0f;
            for (int i = 0; i < width; i++) {
                sumSq += x[xb + i] * x[xb + i];
            }
            float inv = 1f / (float) Math.sqrt(sumSq / width + eps);
            for (int i = 0; i < width; i++) {
                y[yb + i] = (x[xb + i] * inv) * (1f + scale[i]);
            }
        }
    }

    @Override
    public void gelu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = geluTanh(x[i]);
        }
    }

    @Override
    public void geluGate(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            gate[i] = geluTanh(gate[i]) * up[i];
        }
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    @Override
    public void scale(float[] x, int off, int n, float s) {
        for (int i = 0; i < n; i++) {
            x[off + i] *= s;
        }
    }

    /**
     * big_vision {@code apply_rope}: {@code radians = positions / timescale} with the timescale a constant,
     * which XLA evaluates as {@code pos · (1/τ)} in float32 (measured against big_vision dumps); split-halves
     * rotation.
     */
    @Override
    public void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base) {
        int half = headDim / 2;
        for (int r = 0; r < rows; r++) {
            float pos = positions[r];
            for (int h = 0; h < heads; h++) {
                int b = r * rowStride + h * headDim;
                for (int i = 0; i < half; i++) {
                    float theta = pos * (1f / ropeTimescale(base, i, headDim));
                    float cos = (float) Math.cos(theta), sin = (float) Math.sin(theta);
                    float a = x[b + i], c = x[b + i + half];
                    x[b + i] = a * cos - c * sin;
                    x[b + i + half] = c * cos + a * sin;
                }
            }
        }
    }

    /**
     * Flax {@code dot_product_attention} / big_vision Gemma attention: {@code q / qDivisor}, float32
     * logits over the visible keys (soft-capped when the shape says so), softmax {@code exp(l − max) / Σ}, then the probabilities times V.
     */
    @Override
    public void attention(AttentionShape s, Rows q, int rows, Rows k, Rows v, int[] visible, Rows out) {
        int headDim = s.headDim();
        float[] qs = new float[headDim];
        for (int r = 0; r < rows; r++) {
            int n = visible[r];
            float[] p = new float[n];
            for (int h = 0; h < s.heads(); h++) {
                int kvOff = s.kvHead(h) * headDim;
                for (int d = 0; d < headDim; d++) {
                    qs[d] = q.data()[q.at(r, h * headDim + d)] / s.qDivisor();
                }
                for (int j = 0; j < n; j++) {
                    float logit = 0f;
                    for (int d = 0; d < headDim; d++) {
                        logit += qs[d] * k.data()[k.at(j, kvOff + d)];
                    }
                    p[j] = logit;
                }
                AttentionShape.softCap(p, 0, n, s.softCap());
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, p[j]);
                }
                float sum = 0f;
                for (int j = 0; j < n; j++) {
                    p[j] = (float) Math.exp(p[j] - max);
                    sum += p[j];
                }
                for (int j = 0; j < n; j++) {
                    p[j] = p[j] / sum;
                }
                for (int d = 0; d < headDim; d++) {
                    float acc = 0f;
                    for (int j = 0; j < n; j++) {
                        acc += p[j] * v.data()[v.at(j, kvOff + d)];
                    }
                    out.data()[out.at(r, h * headDim + d)] = acc;
                }
            }
        }
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, in JAX's order: {@code x · cdf}. */
    static float geluTanh(float x) {
        float cdf = 0.5f * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * (x * x * x))));
        return x * cdf;
    }

    /** {@code 1/sqrt(v)} correctly rounded to float32 (XLA's {@code rsqrt}, up to its last ulp). */
    static float rsqrt(float v) {
        return (float) (1.0 / Math.sqrt(v));
    }

    /** RoPE timescale {@code base^(2i/headDim)}, computed in double and rounded to float32. */
    public static float ropeTimescale(float base, int i, int headDim) {
        return (float) Math.pow(base, 2.0 * i / headDim);
    }
}
