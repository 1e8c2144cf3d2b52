package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NaiveOps} against values computed by the reference libraries (jax, flax, numpy,
 * ml_dtypes) with {@code scripts/kernels/make_naive_golden.py}, stored exactly (hex floats) in
 * {@code golden/naive-golden.txt}. Tolerances are in float32 ulps of the expected value, or say why not.
 */
class NaiveOpsGoldenTest {

    private static final NaiveOps OPS = new NaiveOps();
    private static final Map<String, float[]> GOLDEN = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = NaiveOpsGoldenTest.class.getResourceAsStream("/golden/naive-golden.txt")) {
            assertThat(in).as("golden/naive-golden.txt on the test class path").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.trim().split(" ");
                float[] v = new float[Integer.parseInt(p[1])];
                for (int i = 0; i < v.length; i++) {
                    String t = p[2 + i];   // Python's float.hex(): Java reads it, except inf/nan
                    v[i] = switch (t) {
                        case "inf" -> Float.POSITIVE_INFINITY;
                        case "-inf" -> Float.NEGATIVE_INFINITY;
                        case "nan" -> Float.NaN;
                        default -> (float) Double.parseDouble(t);
                    };
                }
                GOLDEN.put(p[0], v);
            }
        }
    }

    private static float[] g(String name) {
        assertThat(GOLDEN).as("golden record %s", name).containsKey(name);
        return GOLDEN.get(name);
    }

    /** |a − e| ≤ ulps · ulp(e) + abs, element-wise. */
    private static void assertUlps(float[] actual, float[] expected, double ulps, double abs, String what) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        Close.allClose(actual, expected, 0, expected.length, i -> ulps * Math.ulp(expected[i]) + abs, what);
    }

    @Test
    void geluMatchesJaxApproximate() {
        float[] y = g("gelu.x").clone();
        OPS.gelu(y, y.length);
        // Both round tanh to float32 (XLA's own tanh vs Math.tanh): within 2 ulp of the result,
        // plus 2^-24·|x| where 1 + tanh cancels (large negative x).
        float[] x = g("gelu.x");
        float[] e = g("gelu.y");
        Close.allClose(y, e, 0, e.length, i -> 2 * Math.ulp(e[i]) + Math.abs(x[i]) * 0x1p-24, "gelu");
        assertThat(y[6]).isEqualTo(0f);
    }

    @Test
    void layerNormMatchesFlaxAndNotTwoPass() {
        float[] x = g("layernorm.x"), expected = g("layernorm.y"), twoPass = g("layernorm.y_two_pass");
        int width = g("layernorm.scale").length;
        float[] y = new float[x.length];
        OPS.layerNorm(x, 2, width, g("layernorm.scale"), g("layernorm.bias"), 1e-6f, y);
        // Row 0 (mean 256, values on a 1/4 grid): every sum is exact in float32 in any order, so
        // the remaining roundings are the same operations as Flax's: equal within 3 ulp (XLA's
        // rsqrt is within 1 ulp, not correctly rounded; it may fuse the final multiply-add).
        float[] row0 = java.util.Arrays.copyOf(y, width), exp0 = java.util.Arrays.copyOf(expected, width);
        assertUlps(row0, exp0, 3, 1e-30, "layerNorm large-mean row");
        // ... and the fast variance E[x²] − μ² (μ² rounded at 65536's ulp) visibly differs from the
        // two-pass variance that PyTorch/HF use.
        float maxDiffTwoPass = 0;
        for (int i = 0; i < width; i++) {
            maxDiffTwoPass = Math.max(maxDiffTwoPass, Math.abs(y[i] - twoPass[i]));
        }
        assertThat(maxDiffTwoPass).as("large-mean row vs two-pass variance").isGreaterThan(1e-4f);
        // Row 1 (mean 0.3, std 2): the sums of 16 terms are formed in another order: |Δ| ≤ 2·16·u relative.
        for (int i = width; i < 2 * width; i++) {
            assertThat((double) y[i]).as("row 1, %d", i - width)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(32 * 0x1p-24 * (Math.abs(expected[i]) + 1)));
        }
    }

    @Test
    void rmsNormMatchesBigVisionFormula() {
        float[] x = g("rmsnorm.x"), scale = g("rmsnorm.scale");
        float[] y = new float[x.length];
        OPS.rmsNorm(x, 0, 2, scale.length, scale, 1e-6f, y, 0);
        // one reduction of 48 squares in another order: ≤ 48 u relative; the rest is rounded alike.
        assertUlps(y, g("rmsnorm.y"), 64, 0, "rmsNorm");
    }

    @Test
    void ropeMatchesBigVisionAtPosition4000() {
        float[] x = g("rope.x").clone();
        float[] posF = g("rope.positions");
        int[] pos = new int[posF.length];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = (int) posF[i];
        }
        int head = x.length / pos.length;
        // The timescales: JAX's float32 pow equals base^(2i/d) computed in double and rounded.
        float[] tauJax = g("rope.timescale_jax_f32");
        for (int i = 0; i < tauJax.length; i++) {
            assertThat(NaiveOps.ropeTimescale(10_000f, i, head)).as("timescale %d", i).isEqualTo(tauJax[i]);
        }
        OPS.rope(x, pos.length, head, 1, head, pos, 10_000f);
        // XLA computes pos/τ as pos·(1/τ) when positions broadcast over several rows, which is how
        // big_vision's prefill runs (confirmed stage by stage against big_vision dumps, scripts/parity):
        // θ is then bit-identical to ours; XLA's float32 sin/cos are within ~3e-8 of the true values
        // (measured) and ours are rounded Math.sin/cos: ≤ 1 ulp(1) apart. a·cos − b·sin adds two
        // roundings (XLA may fuse one): ≤ 4·2^-24·(|a| + |b|) + ulp(result).
        float[] expected = g("rope.y_batched"), x0 = g("rope.x");
        int half = head / 2;
        Close.allClose(x, expected, 0, expected.length, i -> {
            int r = i / head, d = i % head, j = d % half;
            return 4 * 0x1p-24 * (Math.abs(x0[r * head + j]) + Math.abs(x0[r * head + j + half])) + Math.ulp(expected[i]);
        }, "rope");
        // For the record: a true division pos/τ (what XLA does for a lone position) moves θ by an ulp
        // (~5e-4 rad) at position 4000 and the output visibly.
        float[] divided = g("rope.y");
        float maxDiff = 0;
        for (int i = 3 * head; i < 4 * head; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(x[i] - divided[i]));
        }
        assertThat(maxDiff).as("position 4000 vs true-division angles").isGreaterThan(1e-4f);
    }

    @Test
    void attentionMatchesFlaxDotProductAttention() {
        float[] q = g("attention.q"), k = g("attention.k"), v = g("attention.v"), visF = g("attention.visible");
        int rows = visF.length, heads = 2, headDim = q.length / rows / heads;
        int[] visible = new int[rows];
        for (int r = 0; r < rows; r++) {
            visible[r] = (int) visF[r];
        }
        float[] out = new float[q.length];
        OPS.attention(new AttentionShape(heads, heads, headDim, (float) Math.sqrt(headDim)), new Rows(q, 0, heads * headDim), rows, new Rows(k, 0, heads * headDim), new Rows(v, 0, heads * headDim), visible, new Rows(out, 0, heads * headDim));
        // logits of |q·k| ≲ 20 carry ~8·u·20 absolute error from the order of the 8 products;
        // exp turns that into a relative error of the weights; outputs are |v| ≲ 3 weighted means.
        assertUlps(out, g("attention.out"), 0, 2e-5, "attention");
    }

    @Test
    void softmaxInsideAttentionMatchesJax() {
        float[] x = g("softmax.x"), expected = g("softmax.y");
        int n = x.length;
        // One query e_0 of dimension n, key j = x_j·e_0, value j = e_j: the logits are x and the
        // attention output is the softmax itself.
        float[] q = new float[n];
        q[0] = 1f;
        float[] k = new float[n * n], v = new float[n * n];
        for (int j = 0; j < n; j++) {
            k[j * n] = x[j];
            v[j * n + j] = 1f;
        }
        float[] out = new float[n];
        OPS.attention(new AttentionShape(1, 1, n, 1f), new Rows(q, 0, n), 1, new Rows(k, 0, n), new Rows(v, 0, n), new int[] {n}, new Rows(out, 0, n));
        // exp of (x − max) and one division: within 2 ulp of jax.nn.softmax (sum of 7 in another order).
        assertUlps(out, expected, 4, 1e-30, "softmax");
        assertThat(out[1]).isEqualTo(0f);
        assertThat(out[2]).isEqualTo(out[5]);
    }

    @Test
    void widensBf16AndF16LikeMlDtypesAndNumpy() {
        float[] bitsF = g("widen.bits"), bf16 = g("widen.bf16"), f16 = g("widen.f16");
        int n = bitsF.length;
        MemorySegment seg = MemorySegment.ofArray(new short[n]);
        for (int i = 0; i < n; i++) {
            seg.set(Weight.I16, 2L * i, (short) (int) bitsF[i]);
        }
        Weight wb = new Weight(seg, WeightType.BF16, 1, n), wh = new Weight(seg, WeightType.F16, 1, n);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(wb.get(0, i))).as("bf16 0x%04x", (int) bitsF[i]).isEqualTo(Float.floatToRawIntBits(bf16[i]));
            if (Float.isNaN(f16[i])) {   // numpy returns the canonical NaN, Java keeps the payload
                assertThat(wh.get(0, i)).as("f16 0x%04x", (int) bitsF[i]).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(wh.get(0, i))).as("f16 0x%04x", (int) bitsF[i]).isEqualTo(Float.floatToRawIntBits(f16[i]));
            }
        }
    }

    @Test
    void argmaxPicksTheFirstMaximumLikeNumpy() {
        float[] x = g("argmax.x");
        assertThat(OPS.argmax(x, 0, x.length)).isEqualTo((int) g("argmax.i")[0]);
    }
}
