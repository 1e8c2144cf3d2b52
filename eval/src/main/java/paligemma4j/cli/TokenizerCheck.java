package paligemma4j.cli;

import java.nio.file.Path;
import paligemma4j.model.tokenizer.Tokenizer;

/** Refuses a tokenizer whose vocabulary does not fit the checkpoint's embedding. */
final class TokenizerCheck {
    private TokenizerCheck() {}

    /**
     * The tokenizer must have exactly the checkpoint's vocabulary; Hugging Face tokenizers may add the
     * {@code <image>} placeholder piece after it (id = vocab), which PaliGemma never feeds as text.
     */
    static void requireMatch(Tokenizer tokenizer, int vocab, Path checkpoint) {
        int n = tokenizer.vocabSize();
        boolean extraOnlyImage = n > vocab;
        for (int id = vocab; id < n && extraOnlyImage; id++) extraOnlyImage = "<image>".equals(tokenizer.piece(id));
        if (n < vocab || (n > vocab && !extraOnlyImage)) {
            throw new UsageException("tokenizer " + tokenizer.file() + " has " + n + " pieces but checkpoint "
                    + checkpoint + " has a vocabulary of " + vocab + " rows: they do not belong together");
        }
    }
}
