package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.checkpoint.paligemma.GemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.checkpoint.paligemma.SiglipConfig;

/**
 * {@code paligemma inspect CKPT [--json]}: opens and validates a checkpoint (no tensor data is
 * read) and prints its format, the config inferred from the shapes, the parameter count and one
 * line per tensor (key, shape, dtype, bytes). {@code --json} prints exactly one JSON object.
 */
final class InspectCommand implements Command {
    public String name() { return "inspect"; }

    public String summary() { return "show a checkpoint's format, inferred config and tensors"; }

    public Args.Spec spec() {
        return new Args.Spec("CKPT [--json]").positional("CKPT", "checkpoint (.npz or Flax msgpack)")
                .flag("json", "print exactly one JSON object");
    }

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path file = args.existingPositional(0);
        try (Checkpoint c = Checkpoint.open(file)) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            if (args.flag("json")) {
                out.println(new ObjectMapper().writeValueAsString(json(c, w.config())));
            } else {
                out.print(table(c, w.config()));
            }
        }
        return 0;
    }

    /** {@code {"file", "format", "config": {...}, "params", "tensors": [{"key", "shape", "dtype", "bytes"}]}}. */
    static ObjectNode json(Checkpoint c, PaliGemmaConfig config) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("file", c.file().toString());
        root.put("format", c.format());
        SiglipConfig v = config.vision();
        GemmaConfig g = config.llm();
        ObjectNode cfg = root.putObject("config");
        cfg.put("resolution", v.resolution());
        cfg.put("patch", v.patch());
        ObjectNode vision = cfg.putObject("vision");
        vision.put("width", v.width());
        vision.put("depth", v.depth());
        vision.put("mlp", v.mlp());
        vision.put("heads", v.heads());
        ObjectNode llm = cfg.putObject("llm");
        llm.put("vocab", g.vocab());
        llm.put("width", g.width());
        llm.put("depth", g.depth());
        llm.put("heads", g.heads());
        llm.put("kv_heads", g.kvHeads());
        llm.put("head_dim", g.headDim());
        llm.put("mlp", g.mlp());
        root.put("params", config.parameterCount());
        ArrayNode tensors = root.putArray("tensors");
        for (Tensor t : c.tensors().values()) {
            ObjectNode o = tensors.addObject();
            o.put("key", t.key());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            o.put("dtype", t.dtype().jsonName);
            o.put("bytes", t.byteSize());
        }
        return root;
    }

    /** The human-readable form. */
    static String table(Checkpoint c, PaliGemmaConfig config) {
        SiglipConfig v = config.vision();
        GemmaConfig g = config.llm();
        long bytes = c.tensors().values().stream().mapToLong(Tensor::byteSize).sum();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("file     %s%n", c.file()));
        sb.append(String.format("format   %s, %d tensors, %,d bytes of tensor data%n", c.format(), c.tensors().size(), bytes));
        sb.append(String.format("vision   resolution %d, patch %d (%d image tokens), width %d, depth %d, mlp %d, heads %d x %d%n",
                v.resolution(), v.patch(), v.numTokens(), v.width(), v.depth(), v.mlp(), v.heads(), v.headDim()));
        sb.append(String.format("llm      vocab %d, width %d, depth %d, heads %d, kv_heads %d, head_dim %d, mlp %d%n",
                g.vocab(), g.width(), g.depth(), g.heads(), g.kvHeads(), g.headDim(), g.mlp()));
        sb.append(String.format("params   %,d%n%n", config.parameterCount()));
        int keyWidth = c.tensors().keySet().stream().mapToInt(String::length).max().orElse(3);
        String row = "%-" + keyWidth + "s  %-22s  %-8s  %15s%n";
        sb.append(String.format(row, "key", "shape", "dtype", "bytes"));
        for (Tensor t : c.tensors().values()) {
            sb.append(String.format(row, t.key(), Arrays.toString(t.shape()), t.dtype().jsonName,
                    String.format("%,d", t.byteSize())));
        }
        return sb.toString();
    }
}
