package paligemma4j.model;

import paligemma4j.kernels.TowerOps;

/**
 * A {@link DecodeState} whose KV cache lives in the backend's decoder ({@link TowerOps.Decoder}): each
 * token's embedding goes in, the next logits come out. Greedy only: the device cache cannot be forked.
 */
final class TowerState implements DecodeState {

    private final Gemma gemma;
    private final TowerOps.Decoder decoder;
    private float[] logits;

    TowerState(Gemma gemma, Prefix prefix) {
        this.gemma = gemma;
        this.decoder = prefix.device();
        this.logits = prefix.logits();
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public DecodeState advance(int token) {
        logits = decoder.decode(gemma.embed(new int[] {token}));
        return this;
    }

    @Override
    public DecodeState fork(int token) {
        throw new UnsupportedOperationException("a prefix from PaliGemma.prefillGreedy keeps its KV cache on the device "
                + "and cannot fork: use PaliGemma.prefill for beam search");
    }
}
