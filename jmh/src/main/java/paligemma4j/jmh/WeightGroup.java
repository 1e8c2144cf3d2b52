package paligemma4j.jmh;

import java.lang.foreign.Arena;
import paligemma4j.kernels.Linear;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Rows;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/**
 * {@code n} random weights of {@code in} inputs and {@code out} outputs (seeds 1…n), stored in {@code orientation},
 * prepared by {@code ops} as one decoder group, each with an output of {@code rows} rows: what the model's q/k/v
 * heads or gate/up are to a benchmark.
 */
record WeightGroup(Weight[] weights, Linear prepared, Rows[] outputs) {

    static WeightGroup of(Ops ops, Arena arena, WeightType type, int in, int out, int n, int rows) {
        return of(ops, arena, type, Weight.Orientation.INPUT_FIRST, in, out, n, rows);
    }

    static WeightGroup of(Ops ops, Arena arena, WeightType type, Weight.Orientation orientation, int in, int out, int n,
                          int rows) {
        Weight[] ws = new Weight[n];
        Rows[] ys = new Rows[n];
        for (int i = 0; i < n; i++) {
            if (orientation == Weight.Orientation.OUTPUT_FIRST) {   // [out, in] as stored, Q8_0 blocks along in
                Weight stored = RandomWeights.weight(arena, type, out, in, 1 + i);
                ws[i] = new Weight(stored.data(), type, out, in, orientation);
            } else {
                ws[i] = RandomWeights.weight(arena, type, in, out, 1 + i);
            }
            ys[i] = Rows.of(new float[rows * out], out);
        }
        return new WeightGroup(ws, ops.prepare(Linear.Use.DECODER, ws, null, bytes -> { }), ys);
    }
}
