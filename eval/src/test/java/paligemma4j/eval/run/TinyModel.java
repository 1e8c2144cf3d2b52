package paligemma4j.eval.run;

import java.nio.file.Path;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.tokenizer.Tokenizer;

/** The model module's tiny random-weight checkpoint (224 px, vocab 2176 with loc/seg pieces) and its tokenizer. */
final class TinyModel {
    static final Path CHECKPOINT = Path.of("..", "model", "src", "test", "resources", "tiny", "tiny-224.npz");
    static final Path TOKENIZER = Path.of("..", "model", "src", "test", "resources", "tokenizer", "tiny.model");

    private TinyModel() {}

    static ModelSession open() {
        JvmOps ops = new JvmOps(2);
        PaliGemma model = PaliGemma.load(CHECKPOINT, ops);
        return new ModelSession(model, Tokenizer.load(TOKENIZER), () -> {
            model.close();
            ops.close();
        });
    }
}
