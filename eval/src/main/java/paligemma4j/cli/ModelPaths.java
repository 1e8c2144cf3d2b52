package paligemma4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --checkpoint} and {@code --tokenizer} of the commands that load a model: any checkpoint format, and
 * without {@code --tokenizer} the tokenizer found in a Hugging Face directory (or beside the checkpoint file).
 */
final class ModelPaths {
    private ModelPaths() {}

    static final String CHECKPOINT_HELP = "big_vision .npz (f32/bf16/f16), Flax msgpack, Hugging Face directory or .safetensors";
    static final String TOKENIZER_HELP = "SentencePiece .model or Hugging Face tokenizer.json (default: "
            + String.join(", ", ServeCommand.TOKENIZER_NAMES) + " in or beside the checkpoint)";

    /** {@code --tokenizer}, else the one in or beside {@code ckpt}; a usage error naming the names tried if none. */
    static Path tokenizer(Args args, Path ckpt) {
        return args.has("tokenizer") ? args.existingFile("tokenizer") : ServeCommand.besideCheckpoint(ckpt);
    }

    /**
     * For commands that can do without one: {@code --tokenizer}, else the one in a Hugging Face checkpoint's
     * directory, else null (an npz keeps its synthetic prompt ids unless a tokenizer is given).
     */
    static Path optionalTokenizer(Args args, Path ckpt) {
        if (args.has("tokenizer")) return args.existingFile("tokenizer");
        if (!Files.isDirectory(ckpt) && !ckpt.getFileName().toString().endsWith(".safetensors")) return null;
        Path dir = Files.isDirectory(ckpt) ? ckpt : ckpt.toAbsolutePath().getParent();
        for (String name : ServeCommand.TOKENIZER_NAMES) {
            if (Files.isReadable(dir.resolve(name))) return dir.resolve(name);
        }
        return null;
    }
}
