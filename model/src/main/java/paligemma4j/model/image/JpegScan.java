package paligemma4j.model.image;

/**
 * One scan (SOS): its header, then its entropy-coded data walked MCU by MCU (block by block when
 * the scan holds a single component), with restart intervals. Sequential blocks are decoded here,
 * progressive ones by {@link JpegProgressiveBlocks}.
 */
final class JpegScan {
    private final JpegBitReader bits;
    private final JpegTables tables;
    private final JpegProgressiveBlocks progressive; // null in a sequential frame

    private JpegScan(JpegBitReader bits, JpegTables tables, JpegProgressiveBlocks progressive) {
        this.bits = bits;
        this.tables = tables;
        this.progressive = progressive;
    }

    /**
     * Reads a scan (the cursor just past its SOS marker) into the coefficients of its components and
     * leaves the cursor at the marker that follows it.
     */
    static void decode(JpegInput in, JpegFrame frame, JpegTables tables, int restartInterval) {
        int len = in.u16();
        int n = in.u8();
        JpegComponent[] comps = frame.components();
        if (n < 1 || n > comps.length || len != 6 + 2 * n) {
            throw new JpegDecoder.Corrupt("bad scan header");
        }
        JpegComponent[] sc = new JpegComponent[n];
        for (int i = 0; i < n; i++) {
            int id = in.u8();
            sc[i] = selectComponent(comps, id, in.u8());
        }
        int ss = in.u8();
        int se = in.u8();
        int a = in.u8();
        JpegProgressiveBlocks.Progression progression = frame.progressive()
                ? new JpegProgressiveBlocks.Progression(ss, se, a >> 4, a & 15)
                : new JpegProgressiveBlocks.Progression(0, 63, 0, 0);
        if (!progression.isValid(frame.progressive())) {
            throw new JpegDecoder.Corrupt("bad progression parameters");
        }
        JpegBitReader bits = new JpegBitReader(in);
        JpegProgressiveBlocks progressive = frame.progressive() ? new JpegProgressiveBlocks(bits, tables, progression) : null;
        new JpegScan(bits, tables, progressive).walk(frame, sc, restartInterval);
        bits.finishScan();
    }

    /** The frame component with {@code id}, given the scan's DC and AC table selectors ({@code tables}: Td << 4 | Ta). */
    private static JpegComponent selectComponent(JpegComponent[] comps, int id, int tables) {
        JpegComponent c = null;
        for (JpegComponent k : comps) {
            if (k.id == id) {
                c = k;
            }
        }
        if (c == null) {
            throw new JpegDecoder.Corrupt("scan names unknown component " + id);
        }
        c.dcTable = tables >> 4;
        c.acTable = tables & 15;
        if (c.dcTable > 3 || c.acTable > 3) {
            throw new JpegDecoder.Corrupt("bad Huffman table selector");
        }
        return c;
    }

    private void walk(JpegFrame frame, JpegComponent[] sc, int restartInterval) {
        resetPredictions(sc);
        boolean single = sc.length == 1;
        int total = single ? sc[0].realBlocksPerLine * sc[0].realBlocksPerColumn : frame.mcusPerLine() * frame.mcusPerColumn();
        int unitsPerLine = single ? sc[0].realBlocksPerLine : frame.mcusPerLine();
        int restartsLeft = restartInterval;
        for (int unit = 0; unit < total; unit++) {
            if (restartInterval > 0 && restartsLeft == 0) {
                bits.restart();
                if (progressive != null) {
                    progressive.restart();
                }
                resetPredictions(sc);
                restartsLeft = restartInterval;
            }
            int row = unit / unitsPerLine;
            int col = unit % unitsPerLine;
            if (single) {
                JpegComponent c = sc[0];
                decodeBlock(c, (row * c.blocksPerLine + col) * 64);
            } else {
                for (JpegComponent c : sc) {
                    for (int v = 0; v < c.v; v++) {
                        for (int h = 0; h < c.h; h++) {
                            int br = row * c.v + v;
                            int bc = col * c.h + h;
                            decodeBlock(c, (br * c.blocksPerLine + bc) * 64);
                        }
                    }
                }
            }
            restartsLeft--;
        }
    }

    private static void resetPredictions(JpegComponent[] sc) {
        for (JpegComponent c : sc) {
            c.pred = 0;
        }
    }

    /** Decodes the block whose 64 coefficients start at {@code off} in {@code c.coef}. */
    private void decodeBlock(JpegComponent c, int off) {
        if (progressive != null) {
            progressive.decodeBlock(c, off);
            return;
        }
        short[] z = c.coef;
        int t = bits.decodeHuffman(tables.dc[c.dcTable]);
        c.pred += bits.receiveExtend(t);
        z[off] = (short) c.pred;
        JpegHuffman ac = tables.ac[c.acTable];
        for (int k = 1; k < 64; ) {
            int rs = bits.decodeHuffman(ac);
            int r = rs >> 4;
            int s = rs & 15;
            if (s == 0) {
                if (r < 15) {
                    break;
                }
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) {
                throw new JpegDecoder.Corrupt("bad AC coefficient index");
            }
            z[off + JpegTables.ZIGZAG[k]] = (short) bits.receiveExtend(s);
            k++;
        }
    }
}
