package paligemma4j.api;

import java.nio.file.Path;

/**
 * How to load a model.
 *
 * @param tokenizer SentencePiece {@code .model} or {@code tokenizer.json}; null: the first of
 *                  {@code paligemma_tokenizer.model}, {@code tokenizer.model}, {@code tokenizer.json} in the
 *                  checkpoint directory or beside the checkpoint file
 * @param threads   CPU worker threads (default: all cores)
 */
public record LoadOptions(Path tokenizer, int threads) {

    public LoadOptions {
        if (threads < 1) throw new PaliGemmaException("threads must be at least 1, got " + threads);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(null, Runtime.getRuntime().availableProcessors());
    }

    public LoadOptions withTokenizer(Path file) {
        return new LoadOptions(file, threads);
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(tokenizer, n);
    }
}
