package paligemma4j.kernels.tornado;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * A weight's off-heap copy in its stored type (float32, or the raw 16 bits of bf16/f16), sent to the
 * device once by the first launch of each plan that reads it ({@code FIRST_EXECUTION}), plus what
 * the 16-bit decoder needs. The device kernels read input-first {@code [in, out]} matrices: an output-first
 * weight (Hugging Face) is transposed once into this copy, which exists anyway ({@link Weight#inputFirst}).
 */
final class DeviceWeight {

    final Weight weight;
    /** Set for F32 weights. */
    final FloatArray f32;
    /** Set for 16-bit weights. */
    final ShortArray half;
    final IntArray format;
    final FloatArray table;
    /** {@code [mantissaScale]}. */
    final FloatArray consts;

    DeviceWeight(Weight given) {
        if (given.type() == WeightType.Q8_0) {
            throw new IllegalArgumentException("TornadoVM backend: Q8_0 weight [" + given.in() + ", " + given.out()
                    + "] has no device kernel; use f32, bf16 or f16 weights (or --backend jvm)");
        }
        Weight w = given.inputFirst(Arena.ofAuto());
        this.weight = w;
        long n = (long) w.rows() * w.cols();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TornadoVM weight [" + w.rows() + ", " + w.cols() + "] has " + n
                    + " elements, TornadoVM arrays hold at most " + Integer.MAX_VALUE);
        }
        if (w.type() == WeightType.F32) {
            f32 = new FloatArray((int) n);
            MemorySegment.copy(w.data(), 0, f32.getSegment(), 0, n * 4);
            half = null;
            format = IntArray.fromElements(0, 0);
            table = FloatArray.fromElements(0f);
            consts = FloatArray.fromElements(0f);
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
}
