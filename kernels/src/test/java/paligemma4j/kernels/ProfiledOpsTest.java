package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProfiledOps} passes every call through unchanged and adds up calls and work per stage, op and shape. */
class ProfiledOpsTest {

    @Test
    void delegatesAndCountsWork() {
        NaiveOps naive = new NaiveOps();
        ProfiledOps profiled = new ProfiledOps(naive);
        Weight w = TestData.weight(1, 40, 24, WeightType.BF16);
        float[] x = TestData.uniform(2, 8 * 40, -1f, 1f);
        float[] expected = new float[8 * 24], actual = new float[8 * 24];
        naive.matmul(x, 8, w, null, 0, expected, 0, 24);

        profiled.stage("prefill");
        profiled.matmul(x, 8, w, null, 0, actual, 0, 24);
        assertThat(actual).containsExactly(expected);
        profiled.stage("decode");
        for (int i = 0; i < 3; i++) {
            profiled.matmul(x, 1, w, null, 0, actual, 0, 24);
        }
        Linear both = profiled.prepare(Linear.Use.DECODER, new Weight[] {w, w}, null, bytes -> { });
        profiled.linear(x, 1, both, Rows.of(actual, 24), Rows.of(expected, 24));
        assertThat(profiled.argmax(new float[] {1f, 3f, 2f}, 0, 3)).isEqualTo(1);

        List<ProfiledOps.Entry> e = profiled.entries();
        assertThat(e).extracting(ProfiledOps.Entry::stage, ProfiledOps.Entry::op, ProfiledOps.Entry::shape,
                        ProfiledOps.Entry::calls)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("prefill", "matmul", "8x40x24 bf16", 1L),
                        org.assertj.core.groups.Tuple.tuple("decode", "matmul", "1x40x24 bf16", 3L),
                        org.assertj.core.groups.Tuple.tuple("decode", "linear", "1x2*40x24 bf16", 1L),
                        org.assertj.core.groups.Tuple.tuple("decode", "argmax", "3", 1L));
        assertThat(e.get(0).flop()).isEqualTo(2.0 * 8 * 40 * 24);     // many rows: compute-bound, GFLOP/s
        assertThat(e.get(0).rateUnit()).isEqualTo("GFLOP/s");
        assertThat(e.get(1).bytes()).isEqualTo(3.0 * 40 * 24 * 2);    // one row: the bf16 weights once per call
        assertThat(e.get(1).rateUnit()).isEqualTo("GB/s");
        assertThat(e.get(2).bytes()).isEqualTo(2.0 * 40 * 24 * 2);
        assertThat(e.get(3).rate()).isNaN();
        profiled.reset();
        assertThat(profiled.entries()).isEmpty();
    }
}
