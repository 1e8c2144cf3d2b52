package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/** Fast element-wise comparisons (one AssertJ call per array, not per element: arrays here hold millions). */
final class Close {

    /** The allowed |actual − expected| at index i. */
    interface Tolerance {
        double at(int i);
    }

    private Close() {
    }

    static void allClose(float[] actual, float[] expected, int from, int to, Tolerance tol, String what) {
        for (int i = from; i < to; i++) {
            double t = tol.at(i);
            if (!(Math.abs((double) actual[i] - expected[i]) <= t) && Float.compare(actual[i], expected[i]) != 0) {
                assertThat((double) actual[i]).as("%s at index %d (tolerance %s)", what, i, t)
                        .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(t));
            }
        }
    }

    /** Fails (with the description) only when |actual − expected| > tol; cheap when it passes. */
    static void check(float actual, float expected, double tol, String format, Object... args) {
        if (!(Math.abs((double) actual - expected) <= tol) && Float.compare(actual, expected) != 0) {
            assertThat((double) actual).as(format, args).isCloseTo(expected, org.assertj.core.data.Offset.offset(tol));
        }
    }

    static void identical(float[] actual, float[] expected, String what) {
        int at = Arrays.mismatch(actual, expected);
        assertThat(at).as("%s: first differing index (actual %s, expected %s)", what,
                at < 0 ? "" : actual[at], at < 0 ? "" : expected[at]).isEqualTo(-1);
    }
}
