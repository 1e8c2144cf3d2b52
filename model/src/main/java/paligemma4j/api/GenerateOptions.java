package paligemma4j.api;

/**
 * How to answer (the CLI's {@code generate} options, same defaults).
 *
 * @param maxTokens   stop after this many generated tokens
 * @param beams       1 = greedy (or sampling), more = big_vision's beam search
 * @param temperature 0 = greedy; above 0 samples (with topP, topK, seed)
 * @param topP        nucleus sampling mass, in (0, 1]
 * @param topK        keep the K most likely tokens (0 = all)
 * @param seed        sampling seed
 * @param f32Cache    float32 KV cache instead of big_vision's bfloat16
 * @param antialias   TF bilinear resize with antialias instead of without
 * @param demoBoxes   boxes with the demo's /1024 convention instead of big_vision's /1023 (docs/outputs.md)
 */
public record GenerateOptions(int maxTokens, int beams, double temperature, double topP, int topK, long seed,
                              boolean f32Cache, boolean antialias, boolean demoBoxes) {

    public GenerateOptions {
        if (maxTokens < 1) throw new PaliGemmaException("maxTokens must be at least 1, got " + maxTokens);
        if (beams < 1) throw new PaliGemmaException("beams must be at least 1, got " + beams);
        if (beams > 1 && temperature > 0) throw new PaliGemmaException("beam search and sampling (temperature > 0) exclude each other");
    }

    public static GenerateOptions defaults() {
        return new GenerateOptions(32, 1, 0, 1, 0, 0, false, false, false);
    }

    public GenerateOptions withMaxTokens(int n) {
        return new GenerateOptions(n, beams, temperature, topP, topK, seed, f32Cache, antialias, demoBoxes);
    }

    public GenerateOptions withBeams(int k) {
        return new GenerateOptions(maxTokens, k, temperature, topP, topK, seed, f32Cache, antialias, demoBoxes);
    }

    public GenerateOptions withSampling(double temperature, double topP, int topK, long seed) {
        return new GenerateOptions(maxTokens, beams, temperature, topP, topK, seed, f32Cache, antialias, demoBoxes);
    }
}
