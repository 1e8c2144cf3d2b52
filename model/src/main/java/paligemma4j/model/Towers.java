package paligemma4j.model;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;

/** Decides, once per tower, whether it runs whole on the backend ({@link TowerOps}) or per op. */
final class Towers {

    private Towers() {}

    /**
     * {@code ops} as a {@link TowerOps} if it is one and takes every weight type of the tower, else null
     * (per op); a {@link TowerOps} backend that cannot take the weights says so once on stderr.
     */
    static TowerOps of(Ops ops, List<Weight> weights, String tower) {
        if (!(ops instanceof TowerOps towers)) return null;
        Set<WeightType> refused = new TreeSet<>();
        for (Weight w : weights) if (!towers.supports(w.type())) refused.add(w.type());
        if (refused.isEmpty()) return towers;
        System.err.println(tower + ": the backend's whole-tower route takes no " + refused + " weights; running it op by op");
        return null;
    }

    /** As {@link #of(Ops, List, String)} for a decoder, which the backend must also be able to run. */
    static TowerOps of(Ops ops, DecoderTower decoder, String tower) {
        TowerOps towers = of(ops, decoder.weights(), tower);
        if (towers == null || towers.runs(decoder)) return towers;
        System.err.println(tower + ": the backend's whole-tower route does not run these decoder settings; running it op by op");
        return null;
    }
}
