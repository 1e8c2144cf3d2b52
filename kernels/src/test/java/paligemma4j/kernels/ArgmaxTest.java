package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Ops#argmax} in both backends: ties go to the lowest index, NaNs are skipped like a strict {@code >} scan. */
class ArgmaxTest {

    private static final List<Ops> BACKENDS = List.of(new NaiveOps(), new JvmOps(1));

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 7, 8, 9, 31, 257, 257152})
    void fastEqualsNaiveWithTies(int n) {
        float[] x = TestData.uniform(n, n + 3, -10f, 10f);
        for (int trial = 0; trial < 3; trial++) {
            if (n > 4) {
                float top = 11f + trial;
                x[3 + n / 2] = top;        // a later copy ...
                x[3 + n / 3 + 1] = top;    // ... and an earlier one: the earlier must win
            }
            int expected = BACKENDS.get(0).argmax(x, 3, n);
            assertThat(BACKENDS.get(1).argmax(x, 3, n)).isEqualTo(expected);
            if (n > 4) {
                assertThat(expected).isEqualTo(n / 3 + 1);
            }
        }
    }

    @Test
    void tiesGoToTheLowestIndex() {
        for (Ops ops : BACKENDS) {
            assertThat(ops.argmax(new float[] {1f, 3f, 3f, 2f, 3f}, 0, 5)).isEqualTo(1);
            assertThat(ops.argmax(new float[] {-0f, 0f, -1f}, 0, 3)).isEqualTo(0);
            assertThat(ops.argmax(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2)).isEqualTo(0);
            float[] big = new float[1000];
            java.util.Arrays.fill(big, 5f);
            assertThat(ops.argmax(big, 1, 999)).isEqualTo(0);
        }
    }

    @Test
    void nanIsSkipped() {
        for (Ops ops : BACKENDS) {
            assertThat(ops.argmax(new float[] {1f, Float.NaN, 4f, 2f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, 0, 17)).isEqualTo(2);
            assertThat(ops.argmax(new float[] {Float.NaN, 9f, 4f}, 0, 3)).isEqualTo(0);
        }
    }
}
