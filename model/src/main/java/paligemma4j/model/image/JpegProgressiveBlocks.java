package paligemma4j.model.image;

/**
 * Progressive decoding of one block in one scan (ITU T.81 G.1.2): a DC first or refinement pass, or
 * an AC first or refinement pass over the band {@code ss…se}, with end-of-band runs across blocks.
 */
final class JpegProgressiveBlocks {

    /**
     * A scan's spectral selection and successive approximation.
     *
     * @param ss first coefficient (zigzag index) of the band
     * @param se last coefficient of the band
     * @param ah bit position of the previous pass (0 on the first pass)
     * @param al bit position of this pass
     */
    record Progression(int ss, int se, int ah, int al) {
        boolean isValid(boolean progressive) {
            return !(ss > se || se > 63 || (ss == 0 && se != 0 && progressive) || al > 13);
        }
    }

    private final JpegBitReader bits;
    private final JpegTables tables;
    private final int ss;
    private final int se;
    private final int ah;
    private final int al;
    private int eobrun;

    JpegProgressiveBlocks(JpegBitReader bits, JpegTables tables, Progression progression) {
        this.bits = bits;
        this.tables = tables;
        this.ss = progression.ss();
        this.se = progression.se();
        this.ah = progression.ah();
        this.al = progression.al();
    }

    /** At a restart marker: an end-of-band run does not continue past it. */
    void restart() {
        eobrun = 0;
    }

    /** Decodes this scan's part of the block whose coefficients start at {@code off} in {@code c.coef}. */
    void decodeBlock(JpegComponent c, int off) {
        short[] z = c.coef;
        if (ss == 0) {
            if (ah == 0) {
                int t = bits.decodeHuffman(tables.dc[c.dcTable]);
                c.pred += bits.receiveExtend(t);
                z[off] = (short) (c.pred << al);
            } else if (bits.bit() != 0) {
                z[off] |= (short) (1 << al);
            }
            return;
        }
        if (ah == 0) {
            acFirst(tables.ac[c.acTable], z, off);
        } else {
            acRefine(tables.ac[c.acTable], z, off);
        }
    }

    private void acFirst(JpegHuffman ac, short[] z, int off) {
        if (eobrun > 0) {
            eobrun--;
            return;
        }
        for (int k = ss; k <= se; ) {
            int rs = bits.decodeHuffman(ac);
            int r = rs >> 4;
            int s = rs & 15;
            if (s == 0) {
                if (r < 15) {
                    eobrun = (1 << r) - 1;
                    if (r > 0) {
                        eobrun += bits.bits(r);
                    }
                    break;
                }
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) {
                throw new JpegDecoder.Corrupt("bad AC coefficient index");
            }
            z[off + JpegTables.ZIGZAG[k]] = (short) (bits.receiveExtend(s) * (1 << al));
            k++;
        }
    }

    private void acRefine(JpegHuffman ac, short[] z, int off) {
        int p1 = 1 << al;
        int m1 = -1 << al;
        int k = ss;
        if (eobrun <= 0) {
            for (; k <= se; ) {
                int rs = bits.decodeHuffman(ac);
                int r = rs >> 4;
                int s = rs & 15;
                int value = 0;
                if (s != 0) {
                    if (s != 1) {
                        throw new JpegDecoder.Corrupt("bad refinement coefficient size");
                    }
                    value = bits.bit() != 0 ? p1 : m1;
                } else if (r != 15) {
                    eobrun = 1 << r;
                    if (r > 0) {
                        eobrun += bits.bits(r);
                    }
                    break;
                }
                do {
                    int idx = off + JpegTables.ZIGZAG[k];
                    if (z[idx] != 0) {
                        if (bits.bit() != 0 && (z[idx] & p1) == 0) {
                            z[idx] += (short) (z[idx] >= 0 ? p1 : m1);
                        }
                    } else {
                        if (--r < 0) {
                            break;
                        }
                    }
                    k++;
                } while (k <= se);
                if (value != 0 && k <= se) {
                    z[off + JpegTables.ZIGZAG[k]] = (short) value;
                }
                k++;
            }
        }
        if (eobrun > 0) {
            for (; k <= se; k++) {
                int idx = off + JpegTables.ZIGZAG[k];
                if (z[idx] != 0 && bits.bit() != 0 && (z[idx] & p1) == 0) {
                    z[idx] += (short) (z[idx] >= 0 ? p1 : m1);
                }
            }
            eobrun--;
        }
    }
}
