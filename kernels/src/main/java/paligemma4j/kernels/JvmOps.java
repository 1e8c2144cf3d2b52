package paligemma4j.kernels;

import java.lang.foreign.MemorySegment;

/**
 * {@link Ops} on the JVM with the Vector API ({@code jdk.incubator.vector}) on every core: weights
 * stay in their stored type and are widened to float32 in registers, accumulation is float32.
 *
 * <p>How each operation is split over the cores:
 * <ul>
 *   <li>{@code matmul}, one to five rows (decode, beam/batch decode): per row, bands of whole W rows,
 *       each core streaming its bands into partial sums added in band order ({@link MatvecKernels}) —
 *       bandwidth-bound; a W with fewer than 512 rows is split by output columns instead;</li>
 *   <li>{@code matmul}, many rows: x packed once, then blocks of output columns (× blocks of rows when
 *       there are few column blocks), each packing its W block once ({@link MatmulKernels});</li>
 *   <li>{@code matmuls} (several W, one x): the tasks of every W in one parallel job;</li>
 *   <li>{@code matmulTransposed}: blocks of output rows (vocabulary) ({@link DotKernels});</li>
 *   <li>{@code attention}: keys and values packed per KV head, then four query vectors per task (four
 *       rows of a head, or four heads of a row that share a KV head); norms, RoPE: rows; element-wise:
 *       ranges.</li>
 * </ul>
 * The worker threads are created once; scratch buffers are per thread and reused, so a call
 * allocates nothing but its task bookkeeping. One instance may be used from several threads
 * (calls are serialised on its pool).
 */
public final class JvmOps implements Ops, AutoCloseable {

    /**
     * Fewest rows the packed GEMM handles (one full 6-row tile); below, one matrix-vector pass per
     * row is faster (measured: 4 rows × [2048, 16384] bf16 took 4× the CPU time in the GEMM, whose
     * packing costs ~1 ns per weight and whose 1-row tiles are FMA-latency bound).
     */
    static final int MATMUL_MIN_ROWS = 6;
    /**
     * Minimum output columns per task of the column-split matrix-vector, which only W with fewer than
     * 2·{@link #MIN_BAND_ROWS} rows take (larger ones go by row bands, {@link #bandMatvec}).
     */
    private static final int MATVEC_MIN_COLUMNS = 128;
    /** Matrix-vector tasks per thread (dynamic balancing on a shared machine). */
    private static final int TASKS_PER_THREAD = 4;
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
     * so that the tasks still balance: Gemma's gate and up, not SigLIP's 4304 columns, where 512 was slower):
     * a task packs 1 KiB of each bf16 W row instead of 512 bytes, which the hardware prefetchers follow
     * better. Packed block 512 KiB. Single thread, 266 × 2048 × 16384 bf16, min of 15, two alternations:
     * 81.9/82.1 → 89.4/86.2 GFLOP/s; two threads, three alternations: 158/169/162 → 180/171/178.
     */
    private static final int MATMUL_WIDE_NC = 512;
    /**
     * Output columns per matmul task for narrow W (SigLIP's 1152 columns): more column blocks instead of
     * split rows, so no W block is packed twice. 256 × 1152 × 1152 bf16, two threads, alternating with
     * 256 columns and split rows: faster in all six rounds (e.g. 9.3 → 6.2 ms, 6.6 → 6.1 ms); at
     * 256 × 4304 × 1152 the two were within the VM's noise (three rounds each way).
     */
    private static final int MATMUL_NARROW_NC = 128;
    /** Vocabulary rows per matmulTransposed task. */
    private static final int DOT_ROWS = 64;
    /** Query vectors per KV head from which packing its keys and values once pays off. */
    private static final int PACK_KV_MIN_QUERIES = 4;
    /** Element-wise work below this many elements runs on the calling thread. */
    private static final int SERIAL_ELEMENTS = 1 << 15;

    private final WorkerPool pool;
    /**
     * Per-thread float scratch, by slot: 0 caller-wide partial sums / split x, or a task's attention
     * logits; 1 packed W block; 2 widened f16 row or GELU chunk; 3 caller-wide packed keys; 4 GEMM or
     * attention tile, or the unembedding's lane sums; 5 caller-wide packed x (GEMM); 6 caller-wide packed
     * values (attention).
     */
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[7][0]);
    private final ThreadLocal<short[][]> shorts = ThreadLocal.withInitial(() -> new short[1][0]);
    private volatile RopeTable ropeTable;

    /** Uses every core the JVM sees. */
    public JvmOps() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Uses {@code threads} threads, the calling one included. */
    public JvmOps(int threads) {
        this.pool = new WorkerPool(threads);
    }

    /** Threads the operations use, the calling one included. */
    public int threads() {
        return pool.threads();
    }

    /** The vector width of every JVM kernel, in float lanes (8 with AVX2, 16 with AVX-512 enabled). */
    public static int vectorLanes() {
        return Simd.L;
    }

    /** The vector width of the matmul micro-kernel, in float lanes (8 with AVX2, 16 with AVX-512 enabled). */
    public static int matmulLanes() {
        return MatmulKernels.L;
    }

    @Override
    public void matmul(float[] x, int rows, Weight w, float[] bias, int biasOff, float[] y, int yOff, int yStride) {
        OpChecks.matmul(x, rows, w, bias, biasOff, y, yOff, yStride);
        if (rows >= MATMUL_MIN_ROWS) {
            // Q8_0 too: int8 widened as W is packed
            gemm(x, rows, new Weight[] {w}, biases(bias), biasOff, new float[][] {y}, new int[] {yOff}, new int[] {yStride});
            return;
        }
        // one bandwidth-bound pass over W per row: few rows (beam/batch decode) don't repay packing
        for (int r = 0; r < rows; r++) {
            if (w.type() == WeightType.Q8_0) {
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
     * Short W (no bands), mixed row counts and Q8_0 mixed with other types take the separate calls.
     */
    @Override
    public void matmuls(float[] x, int rows, Weight[] ws, float[][] biases, float[][] ys, int[] yOffs,
                        int[] yStrides) {
        boolean fused = ws.length > 1;
        if (biases != null) OpChecks.atLeast("matmuls", "biases", biases.length, ws.length);
        for (int i = 0; i < ws.length; i++) {
            OpChecks.matmul(x, rows, ws[i], biases == null ? null : biases[i], 0, ys[i], yOffs[i], yStrides[i]);
            boolean q8 = ws[i].type() == WeightType.Q8_0;
            fused &= ws[i].rows() == ws[0].rows() && q8 == (ws[0].type() == WeightType.Q8_0)
                    && (rows >= MATMUL_MIN_ROWS || q8 || ws[i].rows() >= 2 * MIN_BAND_ROWS);
        }
        if (!fused) {
            Ops.super.matmuls(x, rows, ws, biases, ys, yOffs, yStrides);
        } else if (rows >= MATMUL_MIN_ROWS) {
            gemm(x, rows, ws, biases, 0, ys, yOffs, yStrides);
        } else {
            boolean q8 = ws[0].type() == WeightType.Q8_0;
            for (int r = 0; r < rows; r++) {
                int[] at = new int[ws.length];
                for (int i = 0; i < ws.length; i++) {
                    at[i] = yOffs[i] + r * yStrides[i];
                }
                if (q8) {
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
        float[] acc = callerScratch(0, out);
        pool.run(tasks, t -> {
            int c0 = t * width;
            int n = Math.min(width, out - c0);
            if (type == WeightType.F32) {
                MatvecKernels.f32(x, xOff, in, seg, out, c0, n, acc, c0);
                MatvecKernels.interleave(acc, c0, n, false, bias, biasOff + c0, y, yOff + c0);
                return;
            }
            if (type == WeightType.F16) {
                MatvecKernels.f16(x, xOff, in, seg, out, c0, n, acc, c0, threadShorts(n), threadScratch(2, n));
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
     * hardware prefetchers follow poorly (measured in the decode: ~11 GB/s instead of the ~20 GB/s the
     * machine streams). The bands depend on the shape only, so results are the same for any thread count.
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
        float[] partial = callerScratch(0, partialAt[ws.length]);
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
                        threadShorts(out), threadScratch(2, out));
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
        int scratch = 0;
        for (int i = 0; i < ws.length; i++) {
            int out = ws[i].cols();
            int split = Math.min(colTasks, ceilDiv(out, MATVEC_MIN_COLUMNS));
            widths[i] = ceilDiv(ceilDiv(out, split), Q8.BLOCK) * Q8.BLOCK;
            tasksAt[i + 1] = tasksAt[i] + bands * ceilDiv(out, widths[i]);
            partialAt[i + 1] = partialAt[i] + bands * out;
            scratch = Math.max(scratch, Q8Kernels.scratchFloats(widths[i]));
        }
        float[] partial = callerScratch(0, partialAt[ws.length]);
        int scratchFloats = scratch;
        pool.run(tasksAt[ws.length], t -> {
            int i = owner(tasksAt, t);
            int out = ws[i].cols(), width = widths[i], local = t - tasksAt[i];
            int band = local % bands, c0 = local / bands * width;
            Q8Kernels.rows(x, xOff, ws[i].data(), out, c0, Math.min(width, out - c0), band * Q8_BAND_ROWS,
                    Math.min(in, (band + 1) * Q8_BAND_ROWS), partial, partialAt[i] + band * out + c0,
                    threadShorts(scratchFloats), threadScratch(2, scratchFloats));
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
        int in = ws[0].rows();
        int[] blocksAt = new int[ws.length + 1];                   // weight i's column blocks start here
        int nc = matmulColumns(ws);
        for (int i = 0; i < ws.length; i++) {
            blocksAt[i + 1] = blocksAt[i] + ceilDiv(ws[i].cols(), nc);
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
            int out = w.cols();
            int n0 = (cb - blocksAt[i]) * nc, n1 = Math.min(out, n0 + nc);
            int m0 = rb * rowsPer, m1 = Math.min(rows, m0 + rowsPer);
            float[] packed = threadScratch(1, MatmulKernels.packedSize(nc));
            boolean f16 = w.type() == WeightType.F16;
            MatmulKernels.block(ap, in, w.data(), w.type(), out, bias(biases, i), biasOff, ys[i], yOffs[i], yStrides[i],
                    m0, m1, n0, n1, packed, threadScratch(4, MatmulKernels.tileSize()),
                    f16 ? threadShorts(nc) : null, f16 ? threadScratch(2, nc) : null);
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
            wide += ceilDiv(w.cols(), MATMUL_WIDE_NC);
            normal += ceilDiv(w.cols(), MATMUL_NC);
        }
        return wide >= 2 * want ? MATMUL_WIDE_NC : normal >= want ? MATMUL_NC : MATMUL_NARROW_NC;
    }

    /** x {@code [rows, in]} packed by micro-tile rows ({@link MatmulKernels#packRows}), tiles split over the pool. */
    private float[] packRows(float[] x, int rows, int in) {
        float[] ap = callerScratch(5, MatmulKernels.packedRowsSize(rows, in));
        int tiles = ceilDiv(rows, MatmulKernels.MR);
        int per = Math.max(1, ceilDiv(tiles, pool.threads()));
        pool.run(ceilDiv(tiles, per), t -> MatmulKernels.packRows(x, rows, in, ap, t * per, Math.min(tiles, (t + 1) * per)));
        return ap;
    }

    @Override
    public void matmulTransposed(float[] x, int xOff, int xStride, int rows, Weight w, float[] y, int yOff, int yStride) {
        OpChecks.matmulTransposed(x, xOff, xStride, rows, w, y, yOff, yStride);
        if (w.type() == WeightType.Q8_0) {
            pool.run(ceilDiv(w.rows(), DOT_ROWS), t -> {
                int o0 = t * DOT_ROWS, o1 = Math.min(w.rows(), o0 + DOT_ROWS);
                int scratch = Q8Kernels.scratchFloats(w.cols());
                for (int r = 0; r < rows; r++) {
                    Q8Kernels.dot(x, xOff + r * xStride, w.cols(), w.data(), o0, o1, y, r * yStride + yOff + o0,
                            threadShorts(scratch), threadScratch(2, scratch));
                }
            });
            return;
        }
        int n = w.rows(), width = w.cols();
        MemorySegment seg = w.data();
        WeightType type = w.type();
        int half = width / 2;
        float[] split = type == WeightType.BF16 ? callerScratch(0, rows * 2 * half) : null;
        if (split != null) {
            for (int r = 0; r < rows; r++) {
                DotKernels.deinterleave(x, xOff + r * xStride, width, split, r * 2 * half);
            }
        }
        int tasks = ceilDiv(n, DOT_ROWS);
        pool.run(tasks, t -> {
            int o0 = t * DOT_ROWS, o1 = Math.min(n, o0 + DOT_ROWS);
            for (int r = 0; r < rows; r++) {
                int xr = xOff + r * xStride, yr = r * yStride + yOff + o0;
                if (type == WeightType.F32) {
                    DotKernels.f32(x, xr, width, seg, o0, o1, y, yr);
                } else {
                    if (type == WeightType.BF16) {
                        DotKernels.bf16(split, r * 2 * half, r * 2 * half + half, x, xr, width, seg, o0, o1, y, yr,
                                threadScratch(4, 8 * Simd.L));
                    } else {
                        DotKernels.f16(x, xr, width, seg, o0, o1, y, yr, threadShorts(width), threadScratch(2, width));
                    }
                }
            }
        });
    }

    @Override
    public void layerNorm(float[] x, int rows, int width, float[] scale, float[] bias, float eps, float[] y) {
        OpChecks.rows("layerNorm", "x", x, 0, rows, width);
        OpChecks.rows("layerNorm", "y", y, 0, rows, width);
        forRows(rows, width, r -> NormKernels.layerNormRow(x, r * width, width, scale, bias, eps, y, r * width));
    }

    @Override
    public void rmsNorm(float[] x, int xOff, int rows, int width, float[] scale, float eps, float[] y, int yOff) {
        OpChecks.rows("rmsNorm", "x", x, xOff, rows, width);
        OpChecks.rows("rmsNorm", "y", y, yOff, rows, width);
        forRows(rows, width, r -> NormKernels.rmsNormRow(x, xOff + r * width, width, scale, eps, y, yOff + r * width));
    }

    @Override
    public void gelu(float[] x, int n) {
        OpChecks.atLeast("gelu", "x", x.length, n);
        forRange(n, (from, to) -> ActivationKernels.gelu(x, from, to, threadScratch(2, ActivationKernels.CHUNK)));
    }

    @Override
    public void geluGate(float[] gate, float[] up, int n) {
        OpChecks.atLeast("geluGate", "gate", gate.length, n);
        OpChecks.atLeast("geluGate", "up", up.length, n);
        forRange(n, (from, to) -> ActivationKernels.geluGate(gate, up, from, to, threadScratch(2, ActivationKernels.CHUNK)));
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        OpChecks.atLeast("add", "x", x.length, n);
        OpChecks.atLeast("add", "y", y.length, n);
        forRange(n, (from, to) -> ActivationKernels.add(x, y, from, to));
    }

    @Override
    public void scale(float[] x, int off, int n, float s) {
        OpChecks.atLeast("scale", "x", x.length, (long) off + n);
        forRange(n, (from, to) -> ActivationKernels.scale(x, off + from, off + to, s));
    }

    @Override
    public void rope(float[] x, int rows, int rowStride, int heads, int headDim, int[] positions, float base) {
        OpChecks.atLeast("rope", "positions", positions.length, rows);
        if (rows > 0) {
            OpChecks.atLeast("rope", "x", x.length, (long) (rows - 1) * rowStride + (long) heads * headDim);
        }
        int maxPos = 0;
        for (int r = 0; r < rows; r++) {
            OpChecks.positive("rope", "positions[" + r + "]", positions[r]);
            maxPos = Math.max(maxPos, positions[r]);
        }
        RopeTable table = ropeTable(base, headDim, maxPos + 1);
        int half = headDim / 2;
        forRows(rows, heads * headDim, r -> {
            for (int h = 0; h < heads; h++) {
                RopeKernels.rotate(x, r * rowStride + h * headDim, half, table.cos, table.sin, positions[r] * half);
            }
        });
    }

    @Override
    public void attention(float[] q, int qStride, int rows, int heads, int headDim, float qDivisor,
                          float[] k, float[] v, int kvStride, int kvHeads, int[] visible,
                          float[] out, int outStride) {
        OpChecks.attention(q, qStride, rows, heads, headDim, k, v, kvStride, kvHeads, visible, out, outStride);
        int group = heads / kvHeads;
        int maxVisible = 0;
        for (int r = 0; r < rows; r++) {
            maxVisible = Math.max(maxVisible, visible[r]);
        }
        if (rows * group < PACK_KV_MIN_QUERIES) {
            int scratchSize = headDim + maxVisible;
            pool.run(rows * heads, t -> {
                int r = t / heads, h = t % heads;
                int outOff = r * outStride + h * headDim;
                if (visible[r] == 0) {
                    java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
                    return;
                }
                AttentionKernels.head(q, r * qStride + h * headDim, headDim, qDivisor, k, v, kvStride,
                        (h / group) * headDim, visible[r], threadScratch(0, scratchSize), out, outOff);
            });
            return;
        }
        // keys and values packed in panels once per KV head, shared by every query that reads them
        int n = maxVisible;
        int kSize = AttentionKernels.packedKeysSize(n, headDim), vSize = AttentionKernels.packedValuesSize(n, headDim);
        float[] kP = callerScratch(3, kvHeads * kSize), vP = callerScratch(6, kvHeads * vSize);
        int keyPanels = AttentionKernels.panels(n), dimPanels = AttentionKernels.panels(headDim);
        int keyChunk = Math.max(1, ceilDiv(keyPanels, pool.threads()));
        int keyTasks = ceilDiv(keyPanels, keyChunk), packTasks = keyTasks + dimPanels;
        pool.run(kvHeads * packTasks, t -> {
            int g = t / packTasks, task = t % packTasks;
            if (task < keyTasks) {
                AttentionKernels.packKeys(k, kvStride, g * headDim, n, headDim, kP, g * kSize, task * keyChunk,
                        Math.min(keyPanels, (task + 1) * keyChunk));
            } else {
                AttentionKernels.packValues(v, kvStride, g * headDim, n, headDim, vP, g * vSize, task - keyTasks);
            }
        });
        int scratchSize = AttentionKernels.fourScratch(headDim, n);   // also ≥ the one-row form's headDim + panels·P
        if (rows < MatmulKernels.MR && group % 4 == 0) {
            // four heads of one row that share a KV head per task: every K/V load serves four queries
            int headBlocks = heads / 4;
            pool.run(rows * headBlocks, t -> {
                int r = t / headBlocks, h0 = (t % headBlocks) * 4, g = h0 / group;
                int outOff = r * outStride + h0 * headDim;
                if (visible[r] == 0) {
                    java.util.Arrays.fill(out, outOff, outOff + 4 * headDim, 0f);
                    return;
                }
                AttentionKernels.fourPacked(q, r * qStride + h0 * headDim, headDim, headDim, qDivisor, kP, g * kSize,
                        vP, g * vSize, n, visible[r], threadScratch(0, scratchSize), out, outOff, headDim);
            });
            return;
        }
        // blocks of query rows of one head per task, heads in turn, every K/V load serving the whole block:
        // MR rows on the GEMM micro-kernel when there are that many, else four
        boolean tiles = rows >= MatmulKernels.MR;
        int block = tiles ? MatmulKernels.MR : 4, blocks = ceilDiv(rows, block);
        int blockScratch = tiles ? AttentionKernels.tileScratch(headDim, n) : scratchSize;   // ≥ the one-row form's
        pool.run(heads * blocks, t -> {
            int h = t / blocks, r0 = (t % blocks) * block, g = h / group, valid = Math.min(block, rows - r0);
            float[] scratch = threadScratch(0, blockScratch);
            if (visible[r0] > 0 && sameVisible(visible, r0, valid) && (tiles || valid == 4)) {
                int qAt = r0 * qStride + h * headDim, outAt = r0 * outStride + h * headDim;
                if (tiles) {
                    AttentionKernels.tilePacked(q, qAt, qStride, valid, headDim, qDivisor, kP, g * kSize, vP, g * vSize,
                            n, visible[r0], scratch, out, outAt, outStride, threadScratch(4, MatmulKernels.tileSize()));
                } else {
                    AttentionKernels.fourPacked(q, qAt, qStride, headDim, qDivisor, kP, g * kSize, vP, g * vSize, n,
                            visible[r0], scratch, out, outAt, outStride);
                }
                return;
            }
            for (int r = r0; r < r0 + valid; r++) {              // rows that see different keys: one at a time
                int outOff = r * outStride + h * headDim;
                if (visible[r] == 0) {
                    java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
                    continue;
                }
                AttentionKernels.headPacked(q, r * qStride + h * headDim, headDim, qDivisor, kP, g * kSize,
                        v, kvStride, g * headDim, visible[r], scratch, out, outOff);
            }
        });
    }

    /** Whether rows [r0, r0 + count) all see the same number of keys. */
    private static boolean sameVisible(int[] visible, int r0, int count) {
        for (int r = r0 + 1; r < r0 + count; r++) {
            if (visible[r] != visible[r0]) return false;
        }
        return true;
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        OpChecks.atLeast("argmax", "x from " + off, x.length, (long) off + n);
        if (n <= 0) {
            throw new IllegalArgumentException("argmax: needs at least one element, got n = " + n);
        }
        return ReduceKernels.argmax(x, off, n);
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- splitting helpers -------------------------------------------------------------------

    private interface RangeBody {
        void run(int from, int to);
    }

    private void forRange(int n, RangeBody body) {
        if (n <= SERIAL_ELEMENTS || pool.threads() == 1) {
            body.run(0, n);
            return;
        }
        int chunk = ceilDiv(ceilDiv(n, pool.threads() * TASKS_PER_THREAD), Simd.L) * Simd.L;
        pool.run(ceilDiv(n, chunk), t -> body.run(t * chunk, Math.min(n, (t + 1) * chunk)));
    }

    private void forRows(int rows, int rowElements, java.util.function.IntConsumer body) {
        if ((long) rows * rowElements <= SERIAL_ELEMENTS || rows == 1) {
            for (int r = 0; r < rows; r++) {
                body.accept(r);
            }
            return;
        }
        pool.run(rows, body);
    }

    /** Scratch slot {@code slot} of the current thread, grown to {@code size} floats if needed. */
    private float[] threadScratch(int slot, int size) {
        float[][] mine = scratch.get();
        if (mine[slot].length < size) {
            mine[slot] = new float[size];
        }
        return mine[slot];
    }

    /** 16-bit scratch of the current thread (f16 rows before widening), grown if needed. */
    private short[] threadShorts(int size) {
        short[][] mine = shorts.get();
        if (mine[0].length < size) {
            mine[0] = new short[size];
        }
        return mine[0];
    }

    /** Scratch of the calling thread shared by the tasks of one call (disjoint regions). */
    private float[] callerScratch(int slot, int size) {
        return threadScratch(slot, size);
    }

    // ---- RoPE angle table --------------------------------------------------------------------

    /** cos/sin of every (position, frequency) up to {@code positions}, for one base and head size. */
    private record RopeTable(float base, int headDim, int positions, float[] cos, float[] sin) {
    }

    private RopeTable ropeTable(float base, int headDim, int positions) {
        RopeTable t = ropeTable;
        if (t != null && t.base == base && t.headDim == headDim && t.positions >= positions) {
            return t;
        }
        synchronized (this) {
            t = ropeTable;
            if (t != null && t.base == base && t.headDim == headDim && t.positions >= positions) {
                return t;
            }
            int size = Math.max(positions, t != null && t.base == base && t.headDim == headDim ? 2 * t.positions : 1024);
            int half = headDim / 2;
            float[] cos = new float[size * half], sin = new float[size * half];
            RopeKernels.table(base, headDim, size, cos, sin);
            t = new RopeTable(base, headDim, size, cos, sin);
            ropeTable = t;
            return t;
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

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
