package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoundingTest {

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(Rounding.bf16(1f)).isEqualTo(1f);
        // 1 + 2^-8 is exactly halfway between bf16 1 and 1 + 2^-7: ties to even → 1
        assertThat(Rounding.bf16(1f + 0x1p-8f)).isEqualTo(1f);
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even → 1 + 2^-6
        assertThat(Rounding.bf16(1f + 3 * 0x1p-8f)).isEqualTo(1f + 0x1p-6f);
        assertThat(Rounding.bf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo(1f + 0x1p-7f);
        assertThat(Rounding.bf16((float) Math.sqrt(2048))).isEqualTo(45.25f);
        assertThat(Rounding.bf16(Float.NaN)).isNaN();
        assertThat(Rounding.bf16(-0f)).isEqualTo(-0f);
        assertThat(Rounding.bf16(Float.MAX_VALUE)).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void f16RoundsToNearestEven() {
        assertThat(Rounding.f16((float) Math.sqrt(2048))).isEqualTo(45.25f);
        assertThat(Rounding.f16(1f + 0x1p-11f)).isEqualTo(1f);
        assertThat(Rounding.f16(70000f)).isEqualTo(Float.POSITIVE_INFINITY);
    }
}
