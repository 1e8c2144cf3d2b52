package paligemma4j.kernels.tornado;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** What the vision tower's and the decoder's plans of one graph per layer share: run them in order, read, close. */
final class TowerPlans {

    private TowerPlans() {
    }

    /** Runs graphs {@code 0 .. graphs-1} of {@code plan} in order, then copies {@code result} back to the host. */
    static float[] runAll(TornadoExecutionPlan plan, int graphs, FloatArray result) {
        for (int i = 0; i < graphs; i++) {
            plan.withGraph(i).execute();
        }
        float[] out = new float[result.getSize()];
        MemorySegment.copy(result.getSegment(), JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    /** Frees {@code plan}'s device memory; a failure is one line naming {@code what}. */
    static void close(TornadoExecutionPlan plan, String what) {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("closing the " + what + " plan: " + e.getMessage(), e);
        }
    }
}
