package paligemma4j.model;

import paligemma4j.kernels.TowerOps;

/**
 * A {@link DecodeState} whose KV cache lives in the backend's decoder ({@link TowerOps.Decoder}), one cache per
 * hypothesis: each token's embedding goes in, the next logits come out. Greedy decoding advances the one state in
 * place; beam search forks the kept candidates of a step, and the first {@link #logits()} of the new generation
 * runs all its forks as one device step (the decoder reorders the caches to the forks' parents on the device).
 * States of an older generation are then stale. Buffers are allocated once per decode, not per token.
 */
final class TowerState implements DecodeState {

    /** What the states of one decode share: the decoder, the forks waiting for their step, the reused buffers. */
    private static final class Batch {
        final Gemma gemma;
        final TowerOps.Decoder decoder;
        final TowerState[] pending;
        final int[] parents;
        final float[] embeddings;
        final float[][] logits;
        int pendingCount;
        int generation;

        Batch(Gemma gemma, TowerOps.Decoder decoder) {
            this.gemma = gemma;
            this.decoder = decoder;
            int beams = decoder.beams(), d = gemma.config().width();
            pending = new TowerState[beams];
            parents = new int[beams];
            embeddings = new float[beams * d];
            logits = new float[beams][gemma.config().vocab()];
        }

        /** Runs the pending forks as one step; fork i lands in hypothesis i. */
        void run() {
            int n = pendingCount, d = gemma.config().width();
            for (int i = 0; i < n; i++) {
                parents[i] = pending[i].parent;
                gemma.embed(pending[i].token, embeddings, i * d);
            }
            decoder.step(parents, n, embeddings, logits);
            generation++;
            for (int i = 0; i < n; i++) {
                TowerState s = pending[i];
                s.slot = i;
                s.logits = logits[i];
                s.generation = generation;
                pending[i] = null;
            }
            pendingCount = 0;
        }
    }

    private final Batch batch;
    /** The hypothesis (cache region) this state's logits came from; for a pending fork, its parent's. */
    private int slot;
    private int parent;
    private int token;
    private int generation;
    private float[] logits;   // null while this fork waits for its step

    TowerState(Gemma gemma, Prefix prefix) {
        this.batch = new Batch(gemma, prefix.device());
        this.logits = prefix.logits();
    }

    private TowerState(Batch batch, int parent, int token, int generation) {
        this.batch = batch;
        this.parent = parent;
        this.token = token;
        this.generation = generation;
    }

    @Override
    public float[] logits() {
        if (logits == null) batch.run();
        checkCurrent();
        return logits;
    }

    @Override
    public DecodeState advance(int token) {
        checkCurrent();
        if (batch.pendingCount > 0) {
            throw new IllegalStateException("a device decode state cannot advance while forks of its step are pending");
        }
        this.parent = slot;
        this.token = token;
        this.logits = null;
        batch.pending[batch.pendingCount++] = this;
        batch.run();
        return this;
    }

    @Override
    public DecodeState fork(int token) {
        checkCurrent();
        if (batch.pendingCount == batch.pending.length) {
            throw new IllegalStateException("the device decoder holds " + batch.pending.length + " hypotheses; a step "
                    + "forked more (use a prefix made for that many beams)");
        }
        TowerState next = new TowerState(batch, slot, token, batch.generation + 1);
        batch.pending[batch.pendingCount++] = next;
        return next;
    }

    private void checkCurrent() {
        if (logits == null || generation != batch.generation) {
            throw new IllegalStateException("a device decode state was used after a later step replaced its cache");
        }
    }
}
