package paligemma4j.kernels.tornado;

import java.util.List;
import paligemma4j.kernels.Ops;

/**
 * The entry points the CLI reaches by class name (it is compiled without TornadoVM): open the backend
 * on a device, list the devices. Both fail with one line when TornadoVM finds no usable device.
 */
public final class TornadoBackend {

    private TornadoBackend() {
    }

    /** {@link TornadoOps} on device {@code index} of {@link Devices#all} (−1 = TornadoVM's default device). */
    public static Ops open(int index) {
        return new TornadoOps(index < 0 ? Devices.defaultDevice() : Devices.get(index));
    }

    /** One line per device: {@code N  backend  name}. */
    public static List<String> devices() {
        return Devices.describe();
    }

    /** Copy bandwidth in GB/s (bytes read + written, 10^9) of device {@code index} (−1 = default), see {@link CopyBandwidth}. */
    public static double bandwidth(int index, int megabytes) {
        return CopyBandwidth.measure(index < 0 ? Devices.defaultDevice() : Devices.get(index), megabytes, 10) / 1e9;
    }
}
