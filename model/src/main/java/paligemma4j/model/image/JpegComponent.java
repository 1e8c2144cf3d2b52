package paligemma4j.model.image;

/** One colour component of a frame: its sampling, block grid and coefficients, plus per-scan state. */
final class JpegComponent {
    int id;
    int h;
    int v;
    int quantIndex;
    int blocksPerLine;    // MCU-padded
    int blocksPerColumn;  // MCU-padded
    int realBlocksPerLine;
    int realBlocksPerColumn;
    int width;            // downsampled_width
    int height;           // downsampled_height
    /** Quantised DCT coefficients, 64 per block in natural order, blocks row-major. */
    short[] coef;
    // set by each scan that includes the component
    int dcTable;
    int acTable;
    int pred;
}
