package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The JVM backend's matrix products, split over the cores:
 * <ul>
 *   <li>one to five rows (decode, beam/batch decode): per row, bands of whole W rows, each core streaming
 *       its bands into partial sums added in band order ({@link MatvecKernels}) — bandwidth-bound; a W with
 *       fewer than 512 rows is split by output columns instead;</li>
 *   <li>many rows: x packed once, then blocks of output columns (× blocks of rows when there are few column
 *       blocks), each packing its W block once ({@link MatmulKernels});</li>
 *   <li>several W of one x ({@link #products}): the tasks of every W in one parallel job;</li>
 *   <li>transposed (the tied unembedding), and one to five rows by an output-first W: blocks of output rows,
 *       a dot product per output ({@link DotKernels}, {@link Q8Kernels#dot});</li>
 *   <li>an output-first W in the GEMM: packed from its rows ({@link MatmulKernels#packOutputFirst}), so the
 *       products equal the input-first ones bit for bit; one to five rows sum in another order than the bands.</li>
 * </ul>
 * Every split depends on the shapes only, so the results are the same for any thread count.
 */
final class JvmProducts {

    /**
     * Fewest rows the packed GEMM handles (one full 6-row tile); below, one matrix-vector pass per
     * row is faster: packing W does not pay off, and 1-row tiles are FMA-latency bound
     * (docs/performance.md#kernel-design-measurements).
     */
    static final int MATMUL_MIN_ROWS = 6;
    /**
     * Minimum output columns per task of the column-split matrix-vector, which only W with fewer than
     * 2·{@link #MIN_BAND_ROWS} rows take (larger ones go by row bands, {@link #bandMatvec}).
     */
    private static final int MATVEC_MIN_COLUMNS = 128;
    /** Matrix-vector tasks per thread (dynamic balancing on a shared machine). */
    static final int TASKS_PER_THREAD = 4;
    /**
     * Fewest W rows per band of {@link #bandMatvec}; the bands are fixed by the shape (not derived
     * from the thread count) so that the partial sums, and so the results, are the same for any
     * number of threads.
     */
    private static final int MIN_BAND_ROWS = 256;
    /** Output columns per task when adding the band sums. */
    private static final int SUM_COLUMNS = 2048;

    /** Rows per band of {@link #bandMatvec}: at least 256, at most 16 bands; a multiple of the bf16 kernel's rows per pass. */
    static int bandRows(int in) {
        int pass = MatvecKernels.BF16_ROWS_PER_PASS;
        return ceilDiv(Math.max(MIN_BAND_ROWS, ceilDiv(in, 16)), pass) * pass;
    }
    /**
     * W rows per band of the Q8_0 matrix-vector product: fixed (not derived from the thread count),
     * so the band partial sums, and so the results, are the same for any number of threads.
     */
    private static final int Q8_BAND_ROWS = 256;
    /** Fewest output columns per task adding up the Q8_0 band partial sums. */
    private static final int Q8_SUM_COLUMNS = 1024;
    /** Band partial sums (bands × columns) up to which the calling thread adds them alone. */
    private static final int Q8_SUM_SERIAL = 1 << 14;
    /** Output columns per matmul task: a packed KC × NC float block is 256 KiB, L2-resident. */
    private static final int MATMUL_NC = 256;
    /**
     * Output columns per matmul task for wide W (at least twice this many tasks' worth for every thread,
     * so that the tasks still balance: Gemma's gate and up, not SigLIP's 4304 columns): a task packs 1 KiB
     * of each bf16 W row instead of 512 bytes, which the hardware prefetchers follow better. Packed block
     * 512 KiB.
     */
    private static final int MATMUL_WIDE_NC = 512;
    /**
     * Output columns per matmul task for narrow W (SigLIP's 1152 columns): more column blocks instead of
     * split rows, so no W block is packed twice.
     */
    private static final int MATMUL_NARROW_NC = 128;
    /** Vocabulary rows per matmulTransposed task. */
    private static final int DOT_ROWS = 64;

    /**
     * The system property choosing the activations of the Q8_0 products over output-first weights:
     * {@code f32} (default: float32 x, {@link Q8Kernels#dot}) or {@code int8} ({@link Q8Activations}, integer products
     * in {@link Q8DotKernels}: fewer instructions per weight byte, but not faster over the whole unembedding where
     * measured, and less accurate; docs/performance.md#q8_0-with-int8-activations).
     */
    static final String Q8_ACTIVATIONS = "paligemma4j.q8Activations";

    private final WorkerPool pool;
    private final Scratch scratch;
    /** Whether the Q8_0 unembedding quantizes x to int8 ({@link #Q8_ACTIVATIONS}). */
    private final boolean int8Activations;

    JvmProducts(WorkerPool pool, Scratch scratch) {
        this.pool = pool;
        this.scratch = scratch;
        String act = System.getProperty(Q8_ACTIVATIONS, "f32");
        if (!act.equals("int8") && !act.equals("f32")) {
            throw new IllegalArgumentException("-D" + Q8_ACTIVATIONS + " must be int8 or f32, got '" + act + "'");
        }
        this.int8Activations = act.equals("int8");
    }

    void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        OpChecks.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
        if (rows >= MATMUL_MIN_ROWS) {
            // Q8_0 too: int8 widened as W is packed
            gemm(x, rows, new Weight[] {w}, biases(bias), biasOff, new float[][] {y}, new int[] {yOff}, new int[] {yStride});
            return;
        }
        // one bandwidth-bound pass over W per row: few rows (beam/batch decode) don't repay packing
        for (int r = 0; r < rows; r++) {
            if (w.outputFirst()) {
                dots(x, r * w.in(), new Weight[] {w}, biases(bias), biasOff, new float[][] {y}, new int[] {yOff + r * yStride});
            } else if (w.type() == WeightType.Q8_0) {
                q8Matvecs(x, r * w.rows(), new Weight[] {w}, biases(bias), biasOff, new float[][] {y},
                        new int[] {yOff + r * yStride});
            } else {
                matvec(x, r * w.rows(), w, bias, biasOff, y, yOff + r * yStride);
            }
        }
    }

    /**
     * One parallel job for all of {@code ws} (same x): the decode's band matrix-vector tasks of every
     * weight together, or the GEMM with x packed once and the column blocks of every weight as tasks.
     * Each weight is split and summed exactly as by itself, so the results equal separate calls.
     * Short W (no bands), mixed input counts or orientations and Q8_0 mixed with other types take the separate
     * calls; output-first W of one or few rows go by {@link #dots}.
     */
    void products(float[] x, int rows, Weight[] ws, float[][] biases, Rows[] out) {
        float[][] ys = new float[ws.length][];
        int[] yOffs = new int[ws.length], yStrides = new int[ws.length];
        for (int i = 0; i < ws.length; i++) {
            ys[i] = out[i].data();
            yOffs[i] = out[i].offset();
            yStrides[i] = out[i].stride();
        }
        boolean fused = ws.length > 1;
        if (biases != null) OpChecks.atLeast("linear", "biases", biases.length, ws.length);
        for (int i = 0; i < ws.length; i++) {
            OpChecks.matmul(x, rows, ws[i], biases == null ? null : biases[i], 0, ys[i], yOffs[i], yStrides[i]);
            boolean q8 = ws[i].type() == WeightType.Q8_0, outputFirst = ws[i].outputFirst();
            fused &= ws[i].in() == ws[0].in() && outputFirst == ws[0].outputFirst()
                    && (outputFirst || q8 == (ws[0].type() == WeightType.Q8_0))
                    && (rows >= MATMUL_MIN_ROWS || q8 || outputFirst || ws[i].rows() >= 2 * MIN_BAND_ROWS);
        }
        if (!fused) {
            for (int i = 0; i < ws.length; i++) {
                matmul(x, rows, ws[i], bias(biases, i), 0, ys[i], yOffs[i], yStrides[i]);
            }
        } else if (rows >= MATMUL_MIN_ROWS) {
            gemm(x, rows, ws, biases, 0, ys, yOffs, yStrides);
        } else {
            boolean q8 = ws[0].type() == WeightType.Q8_0;
            for (int r = 0; r < rows; r++) {
                int[] at = new int[ws.length];
                for (int i = 0; i < ws.length; i++) {
                    at[i] = yOffs[i] + r * yStrides[i];
                }
                if (ws[0].outputFirst()) {
                    dots(x, r * ws[0].in(), ws, biases, 0, ys, at);
                } else if (q8) {
                    q8Matvecs(x, r * ws[0].rows(), ws, biases, 0, ys, at);
                } else {
                    bandMatvecs(x, r * ws[0].rows(), ws, biases, 0, ys, at);
                }
            }
        }
    }

    private void matvec(float[] x, int xOff, Weight w, float[] bias, int biasOff, float[] y, int yOff) {
        int in = w.rows(), out = w.cols();
        if (in >= 2 * MIN_BAND_ROWS) {
            bandMatvec(x, xOff, w, bias, biasOff, y, yOff);
            return;
        }
        MemorySegment seg = w.data();
        WeightType type = w.type();
        int chunk = Math.max(MATVEC_MIN_COLUMNS, ceilDiv(out, pool.threads() * TASKS_PER_THREAD));
        chunk = ceilDiv(chunk, 2 * Simd.L) * 2 * Simd.L;
        int width = chunk;
        int tasks = ceilDiv(out, width);
        float[] acc = scratch.floats(Scratch.PARTIAL, out);
        pool.run(tasks, t -> {
            int c0 = t * width;
            int n = Math.min(width, out - c0);
            if (type == WeightType.F32) {
                MatvecKernels.f32(x, xOff, in, seg, out, c0, n, acc, c0);
                MatvecKernels.interleave(acc, c0, n, false, bias, biasOff + c0, y, yOff + c0);
                return;
            }
            if (type == WeightType.F16) {
                MatvecKernels.f16(x, xOff, in, seg, out, c0, n, acc, c0, scratch.shorts(n), scratch.floats(Scratch.WIDENED, n));
                MatvecKernels.interleave(acc, c0, n, false, bias, biasOff + c0, y, yOff + c0);
                return;
            }
            int even = n & ~1;
            MatvecKernels.bf16(x, xOff, in, seg, out, c0, even, acc, c0);
            MatvecKernels.interleave(acc, c0, even, true, bias, biasOff + c0, y, yOff + c0);
            if (even < n) {
                int col = c0 + even;
                float v = MatvecKernels.column(x, xOff, in, seg, out, col, type);
                y[yOff + col] = bias == null ? v : v + bias[biasOff + col];
            }
        });
    }

    /**
     * Matrix-vector by bands of whole W rows: each task streams one contiguous band of
     * {@link #bandRows} rows (megabytes of sequential reads) into its own partial sums over every
     * column, and the partial sums are then added in band order. Splitting by columns instead made
     * every task read a few hundred bytes to 4 KiB of each row at a row-sized stride, which the
     * hardware prefetchers follow poorly (about half the machine's streaming bandwidth). The bands depend
     * on the shape only, so results are the same for any thread count.
     */
    private void bandMatvec(float[] x, int xOff, Weight w, float[] bias, int biasOff, float[] y, int yOff) {
        bandMatvecs(x, xOff, new Weight[] {w}, biases(bias), biasOff, new float[][] {y}, new int[] {yOff});
    }

    /**
     * {@link #bandMatvec} of several W with the same row count, all bands one parallel job (then all sums one);
     * {@code biases[i]} (from {@code biasOff}) is added to weight i's sums, {@code biases} null for none.
     */
    private void bandMatvecs(float[] x, int xOff, Weight[] ws, float[][] biases, int biasOff, float[][] ys,
                             int[] yOffs) {
        int in = ws[0].rows();
        int band = bandRows(in);
        int bands = ceilDiv(in, band);
        int[] partialAt = new int[ws.length + 1];                  // weight i's partial sums start here
        int[] sumTasksAt = new int[ws.length + 1];                 // and its column chunks of the sum here
        for (int i = 0; i < ws.length; i++) {
            partialAt[i + 1] = partialAt[i] + bands * ws[i].cols();
            sumTasksAt[i + 1] = sumTasksAt[i] + Math.max(1, ceilDiv(evenColumns(ws[i]), SUM_COLUMNS));
        }
        float[] partial = scratch.floats(Scratch.PARTIAL, partialAt[ws.length]);
        pool.run(ws.length * bands, t -> {
            Weight w = ws[t / bands];
            int b = t % bands, out = w.cols(), at = partialAt[t / bands] + b * out;
            int i0 = b * band, rows = Math.min(band, in - i0);
            long rowBytes = (long) out * w.type().bytes;
            MemorySegment rowsSeg = w.data().asSlice(i0 * rowBytes, rows * rowBytes);
            switch (w.type()) {
                case F32 -> MatvecKernels.f32(x, xOff + i0, rows, rowsSeg, out, 0, out, partial, at);
                case BF16 -> MatvecKernels.bf16(x, xOff + i0, rows, rowsSeg, out, 0, evenColumns(w), partial, at);
                case F16 -> MatvecKernels.f16(x, xOff + i0, rows, rowsSeg, out, 0, out, partial, at,
                        scratch.shorts(out), scratch.floats(Scratch.WIDENED, out));
                case Q8_0 -> throw new IllegalStateException("Q8_0 weights go through q8Matvecs");
            }
        });
        pool.run(sumTasksAt[ws.length], t -> {                   // band sums, in band order, by column chunks
            int i = owner(sumTasksAt, t);
            Weight w = ws[i];
            int out = w.cols(), even = evenColumns(w), np = even / 2, c = t - sumTasksAt[i];
            boolean pairs = w.type() == WeightType.BF16;
            float[] y = ys[i], bias = bias(biases, i);
            int yOff = yOffs[i], p0 = partialAt[i];
            for (int o = c * SUM_COLUMNS; o < Math.min(even, (c + 1) * SUM_COLUMNS); o++) {
                int at = pairs ? (o & 1) * np + (o >> 1) : o;
                float v = 0f;
                for (int b = 0; b < bands; b++) {
                    v += partial[p0 + b * out + at];
                }
                y[yOff + o] = bias == null ? v : v + bias[biasOff + o];
            }
            if (c == 0 && even < out) {
                float v = MatvecKernels.column(x, xOff, in, w.data(), out, out - 1, w.type());
                y[yOff + out - 1] = bias == null ? v : v + bias[biasOff + out - 1];
            }
        });
    }

    /** Columns the bf16 pair kernel takes (even); the odd last one goes through {@link MatvecKernels#column}. */
    private static int evenColumns(Weight w) {
        return w.type() == WeightType.BF16 ? w.cols() & ~1 : w.cols();
    }

    /**
     * Q8_0 matrix-vector products of one x row with every W of {@code ws} (same row count) as one job:
     * tasks are (weight, band of {@link #Q8_BAND_ROWS} whole rows, column range in whole blocks —
     * columns are split only when there are few bands in all, so every core has work); the band
     * partial sums are then added in band order (then {@code biases[i]}, from {@code biasOff}, when given).
     * The split does not change any column's sum.
     */
    private void q8Matvecs(float[] x, int xOff, Weight[] ws, float[][] biases, int biasOff, float[][] ys,
                           int[] yOffs) {
        int in = ws[0].rows();
        int bands = ceilDiv(in, Q8_BAND_ROWS);
        int colTasks = ceilDiv(pool.threads() * TASKS_PER_THREAD, bands * ws.length);
        int[] widths = new int[ws.length], tasksAt = new int[ws.length + 1], partialAt = new int[ws.length + 1];
        int widest = 0;
        for (int i = 0; i < ws.length; i++) {
            int out = ws[i].cols();
            int split = Math.min(colTasks, ceilDiv(out, MATVEC_MIN_COLUMNS));
            widths[i] = ceilDiv(ceilDiv(out, split), Q8.BLOCK) * Q8.BLOCK;
            tasksAt[i + 1] = tasksAt[i] + bands * ceilDiv(out, widths[i]);
            partialAt[i + 1] = partialAt[i] + bands * out;
            widest = Math.max(widest, Q8Kernels.scratchFloats(widths[i]));
        }
        float[] partial = scratch.floats(Scratch.PARTIAL, partialAt[ws.length]);
        int scratchFloats = widest;
        pool.run(tasksAt[ws.length], t -> {
            int i = owner(tasksAt, t);
            int out = ws[i].cols(), width = widths[i], local = t - tasksAt[i];
            int band = local % bands, c0 = local / bands * width;
            Q8Kernels.rows(x, xOff, ws[i].data(), out, c0, Math.min(width, out - c0), band * Q8_BAND_ROWS,
                    Math.min(in, (band + 1) * Q8_BAND_ROWS), partial, partialAt[i] + band * out + c0,
                    scratch.shorts(scratchFloats), scratch.floats(Scratch.WIDENED, scratchFloats));
        });
        if (partialAt[ws.length] <= Q8_SUM_SERIAL * ws.length) {   // a few thousand adds each: no second dispatch
            for (int i = 0; i < ws.length; i++) {
                Q8Kernels.sumBands(partial, partialAt[i], bands, ws[i].cols(), 0, ws[i].cols(), bias(biases, i), biasOff,
                        ys[i], yOffs[i]);
            }
            return;
        }
        int[] chunksAt = new int[ws.length + 1];
        for (int i = 0; i < ws.length; i++) {
            chunksAt[i + 1] = chunksAt[i] + ceilDiv(ws[i].cols(), Q8_SUM_COLUMNS);
        }
        pool.run(chunksAt[ws.length], t -> {
            int i = owner(chunksAt, t);
            int out = ws[i].cols(), c0 = (t - chunksAt[i]) * Q8_SUM_COLUMNS;
            Q8Kernels.sumBands(partial, partialAt[i], bands, out, c0, Math.min(out, c0 + Q8_SUM_COLUMNS), bias(biases, i),
                    biasOff, ys[i], yOffs[i]);
        });
    }

    /**
     * x packed once, then one task per (weight, column block of {@link #matmulColumns}, row block); the row
     * blocks are split further only when there are too few column blocks in all to keep every thread busy.
     * {@code biases[i]} (from {@code biasOff}) is added to weight i's products, {@code biases} null for none.
     */
    private void gemm(float[] x, int rows, Weight[] ws, float[][] biases, int biasOff, float[][] ys, int[] yOffs,
                      int[] yStrides) {
        int in = ws[0].in();
        int[] blocksAt = new int[ws.length + 1];                   // weight i's column blocks start here
        int nc = matmulColumns(ws);
        for (int i = 0; i < ws.length; i++) {
            blocksAt[i + 1] = blocksAt[i] + ceilDiv(ws[i].out(), nc);
        }
        int colBlocks = blocksAt[ws.length];
        int wantTasks = pool.threads() * TASKS_PER_THREAD;
        int rowBlocks = colBlocks >= wantTasks ? 1 : ceilDiv(wantTasks, colBlocks);
        int rowsPer = ceilDiv(ceilDiv(rows, rowBlocks), MatmulKernels.MR) * MatmulKernels.MR;
        int rowTasks = ceilDiv(rows, rowsPer);
        float[] ap = packRows(x, rows, in);
        pool.run(colBlocks * rowTasks, t -> {
            int cb = t / rowTasks, rb = t % rowTasks;
            int i = owner(blocksAt, cb);
            Weight w = ws[i];
            int out = w.out();
            int n0 = (cb - blocksAt[i]) * nc, n1 = Math.min(out, n0 + nc);
            int m0 = rb * rowsPer, m1 = Math.min(rows, m0 + rowsPer);
            float[] packed = scratch.floats(Scratch.PACKED_W, MatmulKernels.packedSize(nc));
            boolean widens = w.type() == WeightType.F16 || w.outputFirst();
            int widened = MatmulKernels.widenedSize(nc);
            MatmulKernels.block(ap, in, w.data(), w.type(), w.outputFirst(), out, bias(biases, i), biasOff, ys[i], yOffs[i],
                    yStrides[i], m0, m1, n0, n1, packed, scratch.floats(Scratch.TILE, MatmulKernels.tileSize()),
                    widens ? scratch.shorts(widened) : null, widens ? scratch.floats(Scratch.WIDENED, widened) : null);
        });
    }

    /**
     * Columns per matmul task for the W of one job: {@link #MATMUL_WIDE_NC} when there are enough columns,
     * else {@link #MATMUL_NC}, else {@link #MATMUL_NARROW_NC} when 256-column blocks would leave threads
     * without work (the rows would be split then, and every row block would pack its W block again).
     */
    private int matmulColumns(Weight[] ws) {
        int want = pool.threads() * TASKS_PER_THREAD;
        int wide = 0, normal = 0;
        for (Weight w : ws) {
            wide += ceilDiv(w.out(), MATMUL_WIDE_NC);
            normal += ceilDiv(w.out(), MATMUL_NC);
        }
        return wide >= 2 * want ? MATMUL_WIDE_NC : normal >= want ? MATMUL_NC : MATMUL_NARROW_NC;
    }

    /** x {@code [rows, in]} packed by micro-tile rows ({@link MatmulKernels#packRows}), tiles split over the pool. */
    private float[] packRows(float[] x, int rows, int in) {
        float[] ap = scratch.floats(Scratch.PACKED_X, MatmulKernels.packedRowsSize(rows, in));
        int tiles = ceilDiv(rows, MatmulKernels.MR);
        int per = Math.max(1, ceilDiv(tiles, pool.threads()));
        pool.run(ceilDiv(tiles, per), t -> MatmulKernels.packRows(x, rows, in, ap, t * per, Math.min(tiles, (t + 1) * per)));
        return ap;
    }

    void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        OpChecks.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
        if (w.type() == WeightType.Q8_0 && int8Activations) {
            q8Transposed(x, xOff, xStride, rows, w, y, yOff, yStride);
            return;
        }
        float[] split = dotOrder(x, xOff, xStride, rows, w);
        pool.run(ceilDiv(w.rows(), DOT_ROWS), t -> {
            int o0 = t * DOT_ROWS, o1 = Math.min(w.rows(), o0 + DOT_ROWS);
            for (int r = 0; r < rows; r++) {
                rowDots(x, xOff + r * xStride, w, o0, o1, split, r * w.cols(), y, r * yStride + yOff + o0);
            }
        });
    }

    /**
     * {@link #matmulTransposed} of Q8_0 weights with int8 activations: every x row quantized once
     * ({@link Q8Activations}), then blocks of vocabulary rows through {@link Q8DotKernels#dot}.
     */
    private void q8Transposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        int width = w.cols(), nb = Q8.blocks(width);
        short[] qx = new short[rows * width];
        float[] dx = new float[rows * nb];
        for (int r = 0; r < rows; r++) {
            Q8Activations.quantize(x, xOff + r * xStride, width, qx, r * width, dx, r * nb);
        }
        int floats = Q8DotKernels.scratchFloats(width);
        pool.run(ceilDiv(w.rows(), DOT_ROWS), t -> {
            int o0 = t * DOT_ROWS, o1 = Math.min(w.rows(), o0 + DOT_ROWS);
            for (int r = 0; r < rows; r++) {
                Q8DotKernels.dot(qx, r * width, dx, r * nb, width, w.data(), o0, o1, y, r * yStride + yOff + o0,
                        scratch.shorts(floats), scratch.floats(Scratch.WIDENED, floats));
            }
        });
    }

    /**
     * One x row (from {@code xOff}) by every output-first W of {@code ws} (same inputs) as one job: a task per
     * (weight, block of {@link #DOT_ROWS} outputs), each output one dot product over its row of W, then
     * {@code biases[i]} (from {@code biasOff}) added, {@code biases} null for none.
     */
    private void dots(float[] x, int xOff, Weight[] ws, float[][] biases, int biasOff, float[][] ys, int[] yOffs) {
        int[] tasksAt = new int[ws.length + 1];
        for (int i = 0; i < ws.length; i++) {
            tasksAt[i + 1] = tasksAt[i] + ceilDiv(ws[i].rows(), DOT_ROWS);
        }
        float[] split = dotOrder(x, xOff, 0, 1, ws[0]);
        pool.run(tasksAt[ws.length], t -> {
            int i = owner(tasksAt, t);
            Weight w = ws[i];
            int o0 = (t - tasksAt[i]) * DOT_ROWS, o1 = Math.min(w.rows(), o0 + DOT_ROWS);
            float[] y = ys[i], bias = bias(biases, i);
            int at = yOffs[i] + o0;
            rowDots(x, xOff, w, o0, o1, split, 0, y, at);
            if (bias != null) {
                for (int o = o0; o < o1; o++) y[at + o - o0] += bias[biasOff + o];
            }
        });
    }

    /**
     * The x rows in the order the dot kernel of {@code w}'s type reads them, row r from {@code r·width}: bf16
     * de-interleaved ({@link DotKernels#deinterleave}), Q8_0 in phases ({@link Q8Kernels#phases}, with 8 lanes);
     * null where the kernel reads x as it is.
     */
    private float[] dotOrder(float[] x, int xOff, int xStride, int rows, Weight w) {
        boolean bf16 = w.type() == WeightType.BF16, q8 = w.type() == WeightType.Q8_0 && Q8Kernels.PHASES;
        if (!bf16 && !q8) return null;
        int width = w.cols();
        float[] split = scratch.floats(Scratch.PARTIAL, rows * width);
        for (int r = 0; r < rows; r++) {
            if (bf16) {
                DotKernels.deinterleave(x, xOff + r * xStride, width, split, r * width);
            } else {
                Q8Kernels.phases(x, xOff + r * xStride, width, split, r * width);
            }
        }
        return split;
    }

    /**
     * {@code y[yAt + o − o0] = Σ_i x[xOff + i] · W[o, i]} for the stored rows o in [o0, o1) of {@code w};
     * {@code split} holds this x row in the kernel's order from {@code splitAt} ({@link #dotOrder}).
     */
    private void rowDots(float[] x, int xOff, Weight w, int o0, int o1, float[] split, int splitAt, float[] y, int yAt) {
        int width = w.cols();
        MemorySegment seg = w.data();
        switch (w.type()) {
            case F32 -> DotKernels.f32(x, xOff, width, seg, o0, o1, y, yAt);
            case BF16 -> DotKernels.bf16(split, splitAt, splitAt + width / 2, x, xOff, width, seg, o0, o1, y, yAt,
                    scratch.floats(Scratch.TILE, 8 * Simd.L));
            case F16 -> DotKernels.f16(x, xOff, width, seg, o0, o1, y, yAt, scratch.shorts(width),
                    scratch.floats(Scratch.WIDENED, width));
            case Q8_0 -> {
                int floats = Q8Kernels.scratchFloats(width);
                Q8Kernels.dot(x, xOff, split, splitAt, width, seg, o0, o1, y, yAt, scratch.shorts(floats),
                        scratch.floats(Scratch.WIDENED, floats));
            }
        }
    }

    /** One weight's bias as the fused jobs take biases: per weight, or null for none. */
    private static float[][] biases(float[] bias) {
        return bias == null ? null : new float[][] {bias};
    }

    /** Weight i's bias in a fused job's {@code biases} (null: none). */
    private static float[] bias(float[][] biases, int i) {
        return biases == null ? null : biases[i];
    }

    /** The i with {@code startsAt[i] ≤ t < startsAt[i + 1]}: which weight of a fused job task t belongs to. */
    private static int owner(int[] startsAt, int t) {
        int i = 0;
        while (startsAt[i + 1] <= t) {
            i++;
        }
        return i;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
