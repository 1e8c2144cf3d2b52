package paligemma4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.DType;
import paligemma4j.checkpoint.paligemma.CheckpointConverter;
import paligemma4j.checkpoint.paligemma.CheckpointConverter.Format;

/**
 * {@code paligemma convert SRC DEST [--to npz|safetensors] [--dtype f32|bf16] [--max-shard-size 5GB]}: big_vision
 * npz (or msgpack) ↔ Hugging Face model directory, tensor by tensor, with a progress bar on stderr; safetensors
 * output in files of at most the shard size, as transformers writes them (docs/model.md#convert).
 */
final class ConvertCommand implements Command {
    public String name() { return "convert"; }

    public String summary() { return "convert a checkpoint: big_vision npz <-> Hugging Face directory (safetensors)"; }

    public Args.Spec spec() {
        return new Args.Spec("SRC DEST [--to npz|safetensors] [--dtype f32|bf16] [--max-shard-size SIZE]")
                .positional("SRC", "checkpoint: .npz, Flax msgpack, Hugging Face directory or .safetensors")
                .positional("DEST", "a .npz file, or the Hugging Face directory to create")
                .option("to", "npz|safetensors", "output format (default: the one SRC is not in)", null)
                .option("dtype", "f32|bf16", "convert every tensor (default: keep each tensor's type)", null)
                .option("max-shard-size", "SIZE", "safetensors output: files of at most SIZE (5GB, 500MB, 2GiB), more "
                        + "than one listed by model.safetensors.index.json, as transformers", "5GB");
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path src = args.existingPositional(0);
        Path dest = Path.of(args.positional(1));
        DType dtype = !args.has("dtype") ? null
                : args.choice("dtype", "f32", "bf16").equals("f32") ? DType.FLOAT32 : DType.BFLOAT16;
        long maxShard = ByteSize.parse("max-shard-size", args.get("max-shard-size"));
        try (Checkpoint c = Checkpoint.open(src)) {
            Format to = !args.has("to") ? CheckpointConverter.opposite(c)
                    : args.choice("to", "npz", "safetensors").equals("npz") ? Format.NPZ : Format.SAFETENSORS;
            if (to == Format.SAFETENSORS && Files.exists(dest) && !Files.isDirectory(dest)) {
                throw new UsageException("DEST " + dest + ": is a file, expected a directory to write the Hugging Face model into");
            }
            if (to == Format.NPZ && Files.isDirectory(dest)) {
                throw new UsageException("DEST " + dest + ": is a directory, expected the .npz file to write");
            }
            long t0 = System.nanoTime();
            CheckpointConverter.convert(c, dest, to, dtype, maxShard, (done, total, name) -> bar(err, done, total));
            err.printf("%nconverted %s -> %s (%s) in %.1f s%n", src, dest, to == Format.NPZ ? "npz" : "safetensors",
                    (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /** {@code \r[#####.....]  12/59 tensors} on one line, redrawn in place. */
    static void bar(PrintStream err, int done, int total) {
        int width = 30, filled = (int) ((long) done * width / total);
        err.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " tensors");
        err.flush();
    }
}
