package paligemma4j.cli;

import java.io.PrintStream;

/** {@code paligemma devices}: the TornadoVM devices, numbered as {@code generate --device N} takes them. */
final class DevicesCommand implements Command {

    public String name() {
        return "devices";
    }

    public String summary() {
        return "list the TornadoVM devices (for --backend tornadovm --device N)";
    }

    public Args.Spec spec() {
        return new Args.Spec("");
    }

    public int run(Args args, PrintStream out, PrintStream err) {
        var devices = Backends.tornadoDevices();
        if (devices.isEmpty()) {
            throw new UsageException("TornadoVM found no device: install an OpenCL or CUDA driver (tornado --devices)");
        }
        devices.forEach(out::println);
        return 0;
    }
}
