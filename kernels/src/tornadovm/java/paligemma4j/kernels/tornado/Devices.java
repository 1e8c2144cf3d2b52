package paligemma4j.kernels.tornado;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * The devices TornadoVM sees, numbered flat across backends in TornadoVM's order (backend 0's devices
 * first): the {@code N} of {@code --device N}.
 */
public final class Devices {

    private Devices() {
    }

    /** Every device of every backend. */
    public static List<TornadoDevice> all() {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        List<TornadoDevice> out = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                out.add(backend.getDevice(d));
            }
        }
        return out;
    }

    /** Device {@code index} of {@link #all}, or a one-line error naming the valid range. */
    public static TornadoDevice get(int index) {
        List<TornadoDevice> all = all();
        if (all.isEmpty()) {
            throw new IllegalStateException("TornadoVM found no device: install an OpenCL/PTX driver (tornado --devices)");
        }
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("--device " + index + ": TornadoVM has devices 0.." + (all.size() - 1));
        }
        return all.get(index);
    }

    /** TornadoVM's default device. */
    public static TornadoDevice defaultDevice() {
        return TornadoExecutionPlan.DEFAULT_DEVICE;
    }

    /** One line per device: {@code N  backend  name}. */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        List<TornadoDevice> all = all();
        for (int i = 0; i < all.size(); i++) {
            TornadoDevice d = all.get(i);
            lines.add(i + "  " + d.getTornadoVMBackend() + "  " + d.getPhysicalDevice().getDeviceName());
        }
        return lines;
    }
}
