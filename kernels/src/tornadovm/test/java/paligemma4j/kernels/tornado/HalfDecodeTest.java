package paligemma4j.kernels.tornado;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * The in-kernel 16-bit decoder ({@link HalfDecode}) on the device, for all 65,536 bit patterns of
 * bf16 and f16, bit-exact against {@link Weight#get} (the JDK's conversions). Issue 7 found that the
 * obvious ways (intBitsToFloat, float16ToFloat, masking the short) fail to build or silently return
 * wrong values on the OpenCL backend, so nothing less than every pattern is checked. NaN patterns
 * decode to ±∞ by design (weights hold no NaN) and are checked as such.
 */
class HalfDecodeTest {

    @ParameterizedTest
    @EnumSource(value = WeightType.class, names = {"BF16", "F16"})
    void everyBitPatternDecodesExactly(WeightType type) {
        int n = 1 << 16;
        short[] bits = new short[n];
        for (int i = 0; i < n; i++) bits[i] = (short) i;
        // the patterns as a [1, n] weight: y = [1] · W is each value (× 1, + 0 bias: exact)
        Weight w = new Weight(MemorySegment.ofArray(bits), type, 1, n);
        float[] y = new float[n];
        try (TornadoOps ops = new TornadoOps()) {
            ops.matmul(new float[] {1f}, 1, w, null, 0, y, 0, n);
        }
        int expBits = type == WeightType.BF16 ? 8 : 5, mantBits = type == WeightType.BF16 ? 7 : 10;
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            float expected = w.get(0, i);
            if (Float.isNaN(expected)) {
                expected = (bits[i] < 0 ? -1 : 1) * Float.POSITIVE_INFINITY;
            }
            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(y[i])
                    && !(expected == 0f && y[i] == 0f)) {
                wrong++;
            }
        }
        assertThat(wrong).as("%s patterns decoded wrongly (%d exponent, %d mantissa bits)", type, expBits, mantBits)
                .isZero();
    }
}
