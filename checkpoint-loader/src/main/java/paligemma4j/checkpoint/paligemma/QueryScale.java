package paligemma4j.checkpoint.paligemma;

import java.util.Arrays;

/**
 * How a Gemma variant scales its queries after RoPE (big_vision {@code query_pre_attn_norm}): by
 * {@code head_dim^−1/2} ({@code rsqrt_head_dim}, every variant but one) or by {@code (width // heads)^−1/2}
 * with integer division ({@code rsqrt_emb_per_head}, Gemma 2 27B).
 */
public enum QueryScale {
    HEAD_DIM("head-dim"),
    WIDTH_PER_HEAD("width-per-head");

    /** The command-line spelling. */
    public final String option;

    QueryScale(String option) {
        this.option = option;
    }

    /** The factor for {@code c}, a Python float rounded to float32 as jax multiplies it into a float32 array. */
    public float factor(GemmaConfig c) {
        int n = this == HEAD_DIM ? c.headDim() : c.width() / c.heads();
        return (float) Math.pow(n, -0.5);
    }

    /** The scale spelled {@code option} ("head-dim" or "width-per-head"); throws naming the choices otherwise. */
    public static QueryScale parse(String option) {
        for (QueryScale s : values()) if (s.option.equals(option)) return s;
        throw new IllegalArgumentException("expected one of " + Arrays.stream(values()).map(s -> s.option).toList()
                + ", got '" + option + "'");
    }
}
