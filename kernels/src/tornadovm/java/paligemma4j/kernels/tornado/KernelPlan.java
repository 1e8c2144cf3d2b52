package paligemma4j.kernels.tornado;

import java.util.concurrent.atomic.AtomicLong;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * One single-task graph compiled once and launched many times with a new global size each call (the
 * sizes themselves travel in a {@code dims} buffer). The grid is keyed by {@code graph.task}, as
 * TornadoVM's {@link GridScheduler} wants.
 */
final class KernelPlan implements AutoCloseable {

    /**
     * OpenCL build options. TornadoVM's default adds {@code -cl-fast-relaxed-math -cl-mad-enable}, which
     * on PoCL put RoPE's cos/sin at θ ≈ 300 off by ~1e-5 (2^-16) and allow reassociating sums; without
     * them OpenCL guarantees its few-ulp accuracy and every kernel stays within its derived bound of
     * {@code NaiveOps}. {@code -w} only silences warnings.
     */
    static final String OPENCL_FLAGS = "-w";
    /** Task name inside every graph. */
    static final String TASK = "t";
    private static final AtomicLong COUNTER = new AtomicLong();

    private final TornadoExecutionPlan plan;
    private final WorkerGrid grid = new WorkerGrid2D(1, 1);

    /** {@code build} receives the unique graph name and must add exactly one task named {@link #TASK}. */
    KernelPlan(String op, java.util.function.Function<String, TaskGraph> build, TornadoDevice device) {
        String name = op + "_" + COUNTER.incrementAndGet();
        ImmutableTaskGraph graph = build.apply(name).snapshot();
        plan = new TornadoExecutionPlan(graph);
        plan.withGridScheduler(new GridScheduler(name + "." + TASK, grid));
        plan.withDevice(device);
        plan.withCompilerFlags(TornadoVMBackendType.OPENCL, OPENCL_FLAGS);
    }

    /** Runs with global size {@code (gx, gy)} and the driver's choice of work-group. */
    void run(long gx, long gy) {
        grid.setGlobalWork(Math.max(1, gx), Math.max(1, gy), 1);
        grid.setLocalWorkToNull();
        plan.execute();
    }

    /** Runs with global size {@code (gx, gy)} in work-groups of {@code (lx, ly)} (gx, gy multiples of them). */
    void run(long gx, long gy, long lx, long ly) {
        grid.setGlobalWork(gx, gy, 1);
        grid.setLocalWork(lx, ly, 1);
        plan.execute();
    }

    /** Runs one 1-D work-group of {@code size} work-items (kernels with a local-memory reduction). */
    void runOneGroup(int size) {
        grid.setGlobalWork(size, 1, 1);
        grid.setLocalWork(size, 1, 1);
        plan.execute();
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("closing TornadoVM plan: " + e.getMessage(), e);
        }
    }
}
