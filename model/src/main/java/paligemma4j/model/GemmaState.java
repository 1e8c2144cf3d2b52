package paligemma4j.model;

/** A {@link DecodeState} over a Gemma KV cache: the prefix plus the tokens generated so far. */
final class GemmaState implements DecodeState {

    private final Gemma gemma;
    private final KVCache cache;
    private int length;          // filled cache rows = position of the next token
    private float[] logits;
    private boolean ownsLogits;  // false while logits is the prefix's or the parent state's array

    GemmaState(Gemma gemma, Prefix prefix) {
        this(gemma, prefix.cache(), prefix.length(), prefix.logits());
    }

    private GemmaState(Gemma gemma, KVCache cache, int length, float[] logits) {
        this.gemma = gemma;
        this.cache = cache;
        this.length = length;
        this.logits = logits;
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public DecodeState advance(int token) {
        if (!ownsLogits) {                      // the prefix's (or the parent's) logits stay as they are
            logits = new float[logits.length];
            ownsLogits = true;
        }
        logits = gemma.decodeStep(token, length, cache, logits);
        length++;
        return this;
    }

    @Override
    public DecodeState fork(int token) {
        KVCache copy = gemma.newCache(cache.capacity(), cache.precision());
        copy.copyFrom(cache, length);
        return new GemmaState(gemma, copy, length, logits).advance(token);
    }
}
