package paligemma4j.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Proves that kernels run on the device and not as TornadoVM's sequential-Java fallback: when a
 * {@link KernelContext} kernel falls back, the JVM runs its body once with every id 0, so a kernel
 * writing {@code ids[i] = i + 1} over a grid of {@link #WORK_ITEMS} leaves all but slot 0 at 0. Issue 7
 * saw exactly that fallback (garbage, no message, plan still naming the device) when bailout was on.
 */
public final class FallbackProbe {

    /** Work-items launched: more than one, and not a multiple of common work-group sizes. */
    public static final int WORK_ITEMS = 37;

    private FallbackProbe() {
    }

    /** {@code ids[i] = i + 1} for every work-item i. */
    public static void writeIds(KernelContext c, IntArray ids) {
        int i = c.globalIdx;
        if (i < ids.getSize()) {
            ids.set(i, i + 1);
        }
    }

    /** Runs the probe; true when every work-item wrote its slot, i.e. the kernel ran on {@code device}. */
    public static boolean ranOnDevice(TornadoDevice device) {
        IntArray ids = new IntArray(WORK_ITEMS);
        ids.init(0);
        try (KernelPlan plan = new KernelPlan("probe", name -> new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, ids)
                .task(KernelPlan.TASK, FallbackProbe::writeIds, new KernelContext(), ids)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, ids), device)) {
            plan.run(WORK_ITEMS, 1);
        }
        for (int i = 0; i < WORK_ITEMS; i++) {
            if (ids.get(i) != i + 1) return false;
        }
        return true;
    }

    /** Throws a one-line error unless {@link #ranOnDevice} holds. */
    static void requireDevice(TornadoDevice device) {
        if (!ranOnDevice(device)) {
            throw new IllegalStateException("TornadoVM ran the probe kernel as sequential Java, not on "
                    + device.getDeviceName() + ": check that the device's driver builds kernels (tornado --devices)");
        }
    }
}
