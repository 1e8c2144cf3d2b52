package paligemma4j.kernels.tornado;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * A weight's off-heap copy in its stored type (float32, the raw 16 bits of bf16/f16, or Q8_0's int8 values with
 * their block scales), sent to the device once by the first launch of each plan that reads it
 * ({@code FIRST_EXECUTION}), plus what the 16-bit decoder needs. The task helpers add the matching kernel. The
 * device kernels read input-first {@code [in, out]} matrices: an output-first weight (Hugging Face) is transposed
 * once into this copy, which exists anyway ({@link Weight#inputFirst}). Q8_0 blocks cannot be transposed, so an
 * output-first matrix must be quantized input-first at load time: {@code PaliGemma} loads through
 * {@code WeightConverter.forInputFirst} because {@link TornadoOps#readsInputFirst} says so.
 */
final class DeviceWeight {

    /** Shape {@code [rows, cols]} on the device (for fused Q8_0 parts, their columns side by side). */
    final int rows, cols;
    /** Set for F32 weights. */
    final FloatArray f32;
    /** Set for 16-bit weights. */
    final ShortArray half;
    final IntArray format;
    final FloatArray table;
    /** {@code [mantissaScale]}. */
    final FloatArray consts;
    /**
     * Set for Q8_0 weights: the int8 values {@code [rows, cols]}, the float16 block scales widened to float32 (exact),
     * and {@code [partWidth]}: the columns are parts of this width side by side, each row of a part cut into blocks of
     * 32 from its own start (a fused q|k|v of heads narrower than a block keeps each head's own scales).
     */
    final ByteArray q8;
    final FloatArray q8Scales;
    final IntArray q8Dims;

    /** A weight any graph kernel takes (f32, bf16, f16, Q8_0). */
    DeviceWeight(Weight w) {
        this(w, true);
    }

    /** With {@code q8Allowed} false a Q8_0 weight is refused with one line (the per-op kernels have no Q8_0 path). */
    DeviceWeight(Weight w, boolean q8Allowed) {
        this(new Weight[] {w}, q8Allowed);
    }

    /**
     * Input-first weights side by side ({@code [rows, Σ cols]}, a fused projection): Q8_0 parts stay separate
     * parts (all of one shape, so no block is cut or merged), other types are concatenated ({@link WeightConcat}).
     */
    static DeviceWeight columns(Weight... parts) {
        if (parts[0].type() != WeightType.Q8_0) return new DeviceWeight(WeightConcat.columns(parts));
        return new DeviceWeight(parts, true);
    }

    private DeviceWeight(Weight[] given, boolean q8Allowed) {
        for (Weight p : given) {
            if (p.type() == WeightType.Q8_0 && p.outputFirst()) {
                throw new IllegalArgumentException("TornadoVM backend: Q8_0 weight [" + p.rows() + ", " + p.cols()
                        + "] is output-first (blocks along the inputs); the device kernels need it quantized "
                        + "input-first (a WeightConverter's forInputFirst form, which PaliGemma picks for this backend)");
            }
        }
        Arena arena = Arena.ofAuto();
        Weight[] parts = java.util.Arrays.stream(given).map(p -> p.inputFirst(arena)).toArray(Weight[]::new);
        Weight w = parts[0];
        if (w.type() == WeightType.Q8_0 && !q8Allowed) {
            throw new IllegalArgumentException("TornadoVM backend: Q8_0 weight [" + w.rows() + ", " + w.cols()
                    + "] has no per-op device kernel (only the whole-tower graphs take Q8_0); use f32, bf16 or f16 "
                    + "weights (or --backend jvm)");
        }
        for (Weight p : parts) {
            if (p.type() != w.type() || p.rows() != w.rows() || p.cols() != w.cols()) {
                throw new IllegalArgumentException("TornadoVM backend: fused Q8_0 parts need one shape " + w.type() + " ["
                        + w.rows() + ", " + w.cols() + "], got " + p.type() + " [" + p.rows() + ", " + p.cols() + "]");
            }
        }
        this.rows = w.rows();
        this.cols = w.cols() * parts.length;
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TornadoVM weight [" + rows + ", " + cols + "] has " + n
                    + " elements, TornadoVM arrays hold at most " + Integer.MAX_VALUE);
        }
        FloatArray none = FloatArray.fromElements(0f);
        if (w.type() == WeightType.Q8_0) {
            int width = w.cols(), blocks = Q8.blocks(width), partBlocks = blocks * parts.length;
            q8 = new ByteArray((int) n);
            q8Scales = new FloatArray(rows * partBlocks);
            q8Dims = IntArray.fromElements(width);
            long rowBytes = Q8.rowBytes(width);
            for (int p = 0; p < parts.length; p++) {
                MemorySegment data = parts[p].data();
                for (int r = 0; r < rows; r++) {       // a part's row: its scales, then its values
                    long at = r * rowBytes;
                    for (int b = 0; b < blocks; b++) {
                        q8Scales.set(r * partBlocks + p * blocks + b, Float.float16ToFloat(data.get(Weight.I16, at + 2L * b)));
                    }
                    MemorySegment.copy(data, at + 2L * blocks, q8.getSegment(), (long) r * cols + (long) p * width, width);
                }
            }
            f32 = null;
            half = null;
            format = IntArray.fromElements(0, 0);
            table = none;
            consts = none;
            return;
        }
        if (parts.length != 1) throw new IllegalArgumentException("TornadoVM backend: only Q8_0 weights stay in parts");
        q8 = null;
        q8Scales = null;
        q8Dims = null;
        if (w.type() == WeightType.F32) {
            f32 = new FloatArray((int) n);
            MemorySegment.copy(w.data(), 0, f32.getSegment(), 0, n * 4);
            half = null;
            format = IntArray.fromElements(0, 0);
            table = none;
            consts = none;
        } else {
            half = new ShortArray((int) n);
            MemorySegment.copy(w.data(), 0, half.getSegment(), 0, n * 2);
            f32 = null;
            format = HalfDecode.format(w.type());
            table = HalfDecode.exponentTable(w.type());
            consts = FloatArray.fromElements(HalfDecode.mantissaScale(w.type()));
        }
    }

    boolean isHalf() {
        return half != null;
    }

    boolean isQ8() {
        return q8 != null;
    }

    /** Bytes this weight occupies on the device (values, plus the Q8_0 scales). */
    long deviceBytes() {
        if (f32 != null) return f32.getNumBytesOfSegment();
        if (half != null) return half.getNumBytesOfSegment();
        return q8.getNumBytesOfSegment() + q8Scales.getNumBytesOfSegment();
    }

    /**
     * Adds the tiled matmul {@code y ⊕= x·W + bias} for this weight's type ({@link TiledMatmulKernels}), the weight
     * sent once; {@code dims} and {@code gelu} must be transferred by the caller.
     */
    TaskGraph tiledTask(TaskGraph g, String task, FloatArray x, FloatArray bias, FloatArray y, IntArray dims,
                        FloatArray gelu) {
        if (isHalf()) {
            return g.transferToDevice(DataTransferMode.FIRST_EXECUTION, half, format, table, consts)
                    .task(task, TiledMatmulKernels::matmulHalf, new KernelContext(), x, half, bias, y, dims, gelu,
                            format, table, consts);
        }
        if (isQ8()) {
            return g.transferToDevice(DataTransferMode.FIRST_EXECUTION, q8, q8Scales, q8Dims)
                    .task(task, TiledMatmulKernels::matmulQ8, new KernelContext(), x, q8, q8Scales, q8Dims, bias, y, dims,
                            gelu);
        }
        return g.transferToDevice(DataTransferMode.FIRST_EXECUTION, f32)
                .task(task, TiledMatmulKernels::matmulF32, new KernelContext(), x, f32, bias, y, dims, gelu);
    }

    /** Adds the reduced transposed product {@code y[j] = x[X_ROW + j]·Wᵀ} ({@link LinearKernels}), the weight sent once. */
    TaskGraph transposedTask(TaskGraph g, String task, FloatArray x, FloatArray y, IntArray dims) {
        if (isHalf()) {
            return g.transferToDevice(DataTransferMode.FIRST_EXECUTION, half, format, table, consts)
                    .task(task, LinearKernels::matmulTransposedReducedHalf, new KernelContext(), x, half, y, dims,
                            format, table, consts);
        }
        if (isQ8()) {
            return g.transferToDevice(DataTransferMode.FIRST_EXECUTION, q8, q8Scales)
                    .task(task, LinearKernels::matmulTransposedReducedQ8, new KernelContext(), x, q8, q8Scales, y, dims);
        }
        return g.transferToDevice(DataTransferMode.FIRST_EXECUTION, f32)
                .task(task, LinearKernels::matmulTransposedReducedF32, new KernelContext(), x, f32, y, dims);
    }
}
