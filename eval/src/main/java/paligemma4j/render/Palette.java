package paligemma4j.render;

/** Ten well-separated colours (Tableau 10), one per distinct label in order of first appearance, and a text colour for each. */
final class Palette {
    private static final int[] COLORS = {
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};

    private Palette() {}

    static int color(int index) {
        return COLORS[index % COLORS.length];
    }

    /** Black or white, whichever reads better on {@code background} (Rec. 601 luma). */
    static int textOn(int background) {
        int r = background >> 16 & 0xFF, g = background >> 8 & 0xFF, b = background & 0xFF;
        return 299 * r + 587 * g + 114 * b > 140_000 ? 0x000000 : 0xFFFFFF;
    }
}
