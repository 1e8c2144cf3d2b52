package paligemma4j.cli;

import java.io.PrintStream;

/**
 * {@code paligemma devices}: the TornadoVM devices, numbered as {@code generate --device N} takes them; with
 * {@code --bandwidth MB} also one device's memory bandwidth as a copy kernel measures it (scripts/gpu-check).
 */
final class DevicesCommand implements Command {

    public String name() {
        return "devices";
    }

    public String summary() {
        return "list the TornadoVM devices (for --backend tornadovm --device N)";
    }

    public Args.Spec spec() {
        return new Args.Spec("[--bandwidth MB [--device N]]")
                .option("bandwidth", "MB", "also measure the copy bandwidth of one device over MB MiB: prints "
                        + "\"bandwidth_gbs G\" (bytes read + written per second)", null)
                .option("device", "N", "the device --bandwidth measures (default: TornadoVM's default device)", "-1");
    }

    public int run(Args args, PrintStream out, PrintStream err) {
        var devices = Backends.tornadoDevices();
        if (devices.isEmpty()) {
            throw new UsageException("TornadoVM found no device: install an OpenCL or CUDA driver (tornado --devices)");
        }
        devices.forEach(out::println);
        if (args.has("bandwidth")) {
            int device = Integer.parseInt(args.require("device"));
            out.printf("bandwidth_gbs %.1f%n", Backends.tornadoBandwidth(device, args.positiveInt("bandwidth")));
        }
        return 0;
    }
}
