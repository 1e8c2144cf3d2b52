package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SiglipEncoderTest {

    @Test
    void patchifyOrdersTokensRowMajorAndRowsAsHwio() {
        int r = 4, p = 2;
        float[] pixels = new float[r * r * 3];
        for (int y = 0; y < r; y++)
            for (int x = 0; x < r; x++)
                for (int c = 0; c < 3; c++) pixels[(y * r + x) * 3 + c] = y * 100 + x * 10 + c;
        float[] patches = SiglipEncoder.patchify(pixels, r, p);
        int rowLen = p * p * 3;
        // token 1 = grid row 0, column 1: pixels y∈{0,1}, x∈{2,3}; element (dy, dx, c) at (dy·p + dx)·3 + c
        assertThat(patches[rowLen + (1 * p + 0) * 3 + 2]).isEqualTo(1 * 100 + 2 * 10 + 2);
        // token 2 = grid row 1, column 0: pixels y∈{2,3}, x∈{0,1}
        assertThat(patches[2 * rowLen + (0 * p + 1) * 3 + 0]).isEqualTo(2 * 100 + 1 * 10);
        assertThat(patches[3 * rowLen + (1 * p + 1) * 3 + 1]).isEqualTo(3 * 100 + 3 * 10 + 1);
    }
}
