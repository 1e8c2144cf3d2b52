package paligemma4j.eval.run;

import paligemma4j.eval.Benchmark;
import paligemma4j.model.KVCache;
import paligemma4j.model.image.Resize;

/**
 * How a run turns an example into a prediction (docs/eval-protocols.md#per-benchmark-settings): the prompt template,
 * big_vision's {@code text_len} prompt cap, the decoder, and the image and cache settings.
 *
 * @param promptTemplate the template with the benchmark's placeholders ({@link Benchmark#defaultPrompt})
 * @param textLen        prompt token cap ({@link TextLen})
 * @param beam           1 = greedy, K ≥ 2 = big_vision's beam search with K beams
 * @param maxTokens      {@code max_decode_len}: most new tokens
 * @param resize         image resize ({@link Resize#BILINEAR} = TF bilinear without antialias)
 * @param kvCache        KV cache precision (bf16 = big_vision's decode default)
 */
public record Protocol(String promptTemplate, int textLen, int beam, int maxTokens, Resize resize,
                       KVCache.Precision kvCache) {

    public Protocol {
        if (promptTemplate == null) throw new IllegalArgumentException("prompt template is null");
        if (textLen < 1) throw new IllegalArgumentException("text_len must be ≥ 1, got " + textLen);
        if (beam < 1) throw new IllegalArgumentException("beam must be ≥ 1, got " + beam);
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be ≥ 1, got " + maxTokens);
    }

    /**
     * The released eval config's settings: POPE greedy/48/48, COCO beam 2/32/32, RefCOCO greedy/48/48 (only the
     * first 20 tokens are scored), MMVP greedy/48/48 (unconfirmed, docs/eval-protocols.md#mmvp-prompt-and-matching,
     * following POPE); all with bilinear resize without antialias and a bf16 KV cache.
     */
    public static Protocol defaults(Benchmark b) {
        return switch (b) {
            case POPE, MMVP, REFCOCO -> new Protocol(b.defaultPrompt, 48, 1, 48, Resize.BILINEAR, KVCache.Precision.BF16);
            case COCOCAP -> new Protocol(b.defaultPrompt, 32, 2, 32, Resize.BILINEAR, KVCache.Precision.BF16);
        };
    }

    public Protocol withPromptTemplate(String t) {
        return new Protocol(t, textLen, beam, maxTokens, resize, kvCache);
    }

    public Protocol withTextLen(int n) {
        return new Protocol(promptTemplate, n, beam, maxTokens, resize, kvCache);
    }

    public Protocol withBeam(int k) {
        return new Protocol(promptTemplate, textLen, k, maxTokens, resize, kvCache);
    }

    public Protocol withMaxTokens(int n) {
        return new Protocol(promptTemplate, textLen, beam, n, resize, kvCache);
    }

    public Protocol withResize(Resize r) {
        return new Protocol(promptTemplate, textLen, beam, maxTokens, r, kvCache);
    }

    public Protocol withKvCache(KVCache.Precision p) {
        return new Protocol(promptTemplate, textLen, beam, maxTokens, resize, p);
    }

    /** {@code greedy} or {@code beam K}, as the reports print it. */
    public String decoding() {
        return beam == 1 ? "greedy" : "beam " + beam;
    }

    /** {@code bilinear} or {@code bilinear-antialias}, the CLI spelling. */
    public String resizeName() {
        return resize == Resize.BILINEAR ? "bilinear" : "bilinear-antialias";
    }

    public String kvCacheName() {
        return kvCache == KVCache.Precision.BF16 ? "bf16" : "f32";
    }
}
