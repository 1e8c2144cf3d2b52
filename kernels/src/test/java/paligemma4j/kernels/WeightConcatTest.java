package paligemma4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Weight#concatColumns}: every element of the side-by-side weight is the element of its part, for
 * every type (Q8_0 with whole blocks; that it equals quantizing the joined matrix is in {@link Q8Test}).
 */
class WeightConcatTest {

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void everyElementComesFromItsPart(WeightType type) {
        int rows = 5;
        int[] widths = type == WeightType.Q8_0 ? new int[] {32, 96, 64} : new int[] {3, 17, 8};
        Weight[] parts = new Weight[widths.length];
        int cols = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = TestData.weight(40L + i, rows, widths[i], type);
            cols += widths[i];
        }
        Weight joined = Weight.concatColumns(parts, Arena.ofAuto());
        assertThat(joined.type()).isEqualTo(type);
        assertThat(joined.rows()).isEqualTo(rows);
        assertThat(joined.cols()).isEqualTo(cols);
        for (int r = 0; r < rows; r++) {
            int c0 = 0;
            for (Weight p : parts) {
                for (int c = 0; c < p.cols(); c++) {
                    assertThat(joined.get(r, c0 + c)).as("%s [%d, %d]", type, r, c0 + c).isEqualTo(p.get(r, c));
                }
                c0 += p.cols();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightType.class, names = {"F32", "BF16"})
    void partsMustShareRowsAndType(WeightType type) {
        Weight a = TestData.weight(1, 4, 8, type), fewerRows = TestData.weight(2, 3, 8, type);
        assertThatThrownBy(() -> Weight.concatColumns(new Weight[] {a, fewerRows}, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("part 1 is " + type + " [3, 8], expected " + type + " [4, any]");
        Weight other = TestData.weight(3, 4, 8, type == WeightType.F32 ? WeightType.BF16 : WeightType.F32);
        assertThatThrownBy(() -> Weight.concatColumns(new Weight[] {a, other}, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("part 1 is " + other.type());
    }

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void columnBlocksAreTheColumnsInTurnAndJoinBack(WeightType type) {
        int rows = 6, cols = type == WeightType.Q8_0 ? 150 : 41, width = type == WeightType.Q8_0 ? 64 : 16;
        Weight w = TestData.weight(50L, rows, cols, type);
        Weight[] parts = Weight.columnBlocks(w, width, Arena.ofAuto());
        assertThat(parts).extracting(Weight::cols).containsExactly(type == WeightType.Q8_0
                ? new Integer[] {64, 64, 22} : new Integer[] {16, 16, 9});
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertThat(parts[c / width].get(r, c % width)).as("%s [%d, %d]", type, r, c).isEqualTo(w.get(r, c));
            }
        }
        Weight joined = Weight.concatColumns(parts, Arena.ofAuto());
        assertThat(joined.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .containsExactly(w.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @org.junit.jupiter.api.Test
    void columnBlocksMustNotCutQ8Blocks() {
        Weight q = TestData.weight(7, 3, 96, WeightType.Q8_0);
        assertThatThrownBy(() -> Weight.columnBlocks(q, 48, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column blocks of 48 for a Q8_0 [3, 96] weight: need at least 1, a multiple of 32");
    }
}
