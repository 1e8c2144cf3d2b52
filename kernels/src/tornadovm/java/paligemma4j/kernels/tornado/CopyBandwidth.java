package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The device's memory bandwidth as a copy kernel moves it ({@code y[i] = x[i]}, both arrays on the device, nothing
 * crossing the bus after the first run): bytes read plus bytes written per second, the best of several runs. The
 * bound a decode step cannot beat is the weight bytes it reads divided by this.
 */
public final class CopyBandwidth {

    private CopyBandwidth() {
    }

    /** {@code y[i] = x[i]}. */
    public static void copy(KernelContext c, FloatArray x, FloatArray y) {
        int i = c.globalIdx;
        if (i < x.getSize()) {
            y.set(i, x.get(i));
        }
    }

    /** Bytes per second (read + written) of copying {@code megabytes} MiB on {@code device}, best of {@code runs}. */
    public static double measure(TornadoDevice device, int megabytes, int runs) {
        int n = megabytes * (1 << 20) / Float.BYTES;
        FloatArray x = new FloatArray(n), y = new FloatArray(n);
        x.init(1f);
        TaskGraph g = new TaskGraph("bandwidth").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, y)
                .task("copy", CopyBandwidth::copy, new KernelContext(), x, y);
        GridScheduler grids = new GridScheduler();
        WorkerGrid1D grid = new WorkerGrid1D(n);
        grid.setLocalWork(256, 1, 1);
        grids.addWorkerGrid("bandwidth.copy", grid);
        double best = Double.MAX_VALUE;
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(grids).withDevice(device).withCompilerFlags(TornadoVMBackendType.OPENCL,
                    KernelPlan.OPENCL_FLAGS);
            plan.execute();                                  // compiles, sends x and y once
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                plan.execute();
                best = Math.min(best, System.nanoTime() - t0);
            }
        } catch (Exception e) {
            throw new IllegalStateException("copy bandwidth on " + device.getPhysicalDevice().getDeviceName() + ": "
                    + e.getMessage(), e);
        }
        return 2.0 * n * Float.BYTES / (best / 1e9);
    }
}
