package paligemma4j.cli;

import java.io.PrintStream;
import paligemma4j.checkpoint.Checkpoint;

/** {@code paligemma inspect CKPT [--json]} (skeleton). */
final class InspectCommand implements Command {
    public String name() { return "inspect"; }
    public String summary() { return "show a checkpoint's format, inferred config and tensors"; }
    public Args.Spec spec() {
        return new Args.Spec("CKPT [--json]").positional("CKPT", "checkpoint (.npz or Flax msgpack)")
                .flag("json", "print exactly one JSON object");
    }
    public int run(Args args, PrintStream out, PrintStream err) {
        try (Checkpoint c = Checkpoint.open(args.existingPositional(0))) {
            out.println(c.format());
        }
        return 0;
    }
}
