package paligemma4j.api;

import java.nio.file.Path;

/**
 * How to load a model.
 *
 * @param tokenizer SentencePiece {@code .model} or {@code tokenizer.json}; null: the first of
 *                  {@code paligemma_tokenizer.model}, {@code tokenizer.model}, {@code tokenizer.json} in the
 *                  checkpoint directory or beside the checkpoint file
 * @param threads   CPU worker threads (default: all cores)
 * @param vae       the VQ-VAE mask decoder (big_vision's {@code vae-oid.npz}) that turns segmentation answers into
 *                  {@link Mask}s; null: {@code vae-oid.npz} in the checkpoint directory or beside the checkpoint
 *                  file if there is one, else no masks (the answers keep their codes)
 */
public record LoadOptions(Path tokenizer, int threads, Path vae) {

    /** The VQ-VAE file name looked for in or beside the checkpoint. */
    public static final String VAE_NAME = "vae-oid.npz";

    public LoadOptions {
        if (threads < 1) throw new PaliGemmaException("threads must be at least 1, got " + threads);
    }

    /** A tokenizer and thread count, the VQ-VAE found beside the checkpoint. */
    public LoadOptions(Path tokenizer, int threads) {
        this(tokenizer, threads, null);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(null, Runtime.getRuntime().availableProcessors(), null);
    }

    public LoadOptions withTokenizer(Path file) {
        return new LoadOptions(file, threads, vae);
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(tokenizer, n, vae);
    }

    public LoadOptions withVae(Path file) {
        return new LoadOptions(tokenizer, threads, file);
    }
}
