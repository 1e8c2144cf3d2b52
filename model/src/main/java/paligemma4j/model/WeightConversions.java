package paligemma4j.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import paligemma4j.kernels.LazyMemory;
import paligemma4j.kernels.Q8;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * {@link WeightConverter}s between the storage types: a copy in the target type, in
 * GC-managed off-heap memory that lives as long as the model holds the weight.
 */
public final class WeightConversions {
    private WeightConversions() {}

    /**
     * Every matrix as {@code target}, in its orientation (element by stored element): float32 widens exactly; bfloat16 and float16 round to nearest
     * even ({@link Float#floatToFloat16} for f16, the bfloat16 rounding of jax/numpy for bf16);
     * Q8_0 as {@link Q8#quantize} makes it (vectorised, spread over the cores of the common
     * fork-join pool by bands of rows; the weight's {@link Arena#ofAuto()} segment may be touched by
     * any thread).
     */
    public static WeightConverter to(WeightType target) {
        if (target == WeightType.Q8_0) return new ToQ8();
        return w -> w.type() == target ? w : copy(w, target);
    }

    /**
     * Q8_0 as {@link #to} describes it. Its {@link #forInputFirst} form, for kernels that read input-first
     * {@code [in, out]} matrices only: Q8_0 blocks cannot be transposed, so an output-first matrix is first
     * transposed in its stored type, then quantized; its blocks then run along the outputs, as for a big_vision
     * checkpoint's input-first matrix. One matrix's transposed copy exists at a time (freed once quantized).
     */
    private static final class ToQ8 implements WeightConverter {
        @Override
        public Weight convert(Weight w) {
            return w.type() == WeightType.Q8_0 ? w : Q8.quantize(w, Arena.ofAuto());
        }

        @Override
        public WeightConverter forInputFirst() {
            return w -> {
                if (w.type() == WeightType.Q8_0 || !w.outputFirst()) return convert(w);
                try (Arena transposed = Arena.ofShared()) {      // shared: Q8.quantize spreads over the pool
                    return Q8.quantize(w.inputFirst(transposed), Arena.ofAuto());
                }
            };
        }
    }

    private static Weight copy(Weight w, WeightType target) {
        long n = (long) w.rows() * w.cols();
        MemorySegment out = LazyMemory.allocate(Arena.ofAuto(), n * target.bytes);
        for (int r = 0; r < w.rows(); r++) {
            long base = (long) r * w.cols();
            for (int c = 0; c < w.cols(); c++) {
                float v = w.get(r, c);
                long i = base + c;
                switch (target) {
                    case F32 -> out.set(Weight.F32, i * 4, v);
                    case BF16 -> out.set(Weight.I16, i * 2, toBf16(v));
                    case F16 -> out.set(Weight.I16, i * 2, Float.floatToFloat16(v));
                    case Q8_0 -> throw new IllegalStateException("Q8_0 is made by Q8.quantize");
                }
            }
        }
        return new Weight(out, target, w.rows(), w.cols(), w.orientation());
    }

    /** float32 → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
