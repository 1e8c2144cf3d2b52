package paligemma4j.kernels;

/**
 * An optional second interface of a backend that can run whole towers, keeping the activations (and
 * the decoder's KV cache) where it computes: weights are sent once, per call only the inputs go in and
 * the outputs come out. The model uses it when its {@link Ops} also implements this interface, no stage
 * observer is attached (greedy decoding and beam search); everything else keeps the per-op route, which is correct
 * on any {@link Ops}. The TornadoVM backend implements it with device-resident task graphs; the JVM
 * backends do not (they gain nothing: their activations already live where they compute).
 */
public interface TowerOps {

    /** A vision tower built for one {@link VitTower}: patches in, image tokens out. */
    interface Vision extends AutoCloseable {

        /** Image tokens {@code [N, D]} of flattened patches {@code [N, P·P·3]} (one row per patch). */
        float[] forward(float[] patches);

        @Override
        void close();
    }

    /**
     * A decoder built for one {@link DecoderTower} with a KV cache of fixed capacity for each of {@link #beams()}
     * hypotheses; it holds one sequence at a time (a prefill starts a new one in hypothesis 0).
     */
    interface Decoder extends AutoCloseable {

        /**
         * Runs the prefix {@code [rows, D]} (image tokens, then text embeddings) at positions 0…rows−1 with
         * full attention inside it, filling cache rows [0, rows); returns the last row's next-token logits.
         */
        float[] prefill(float[] prefix, int rows);

        /** One token's embedding {@code [D]} at the next position of hypothesis 0; returns the next-token logits. */
        float[] decode(float[] tokenEmbedding);

        /**
         * One step of {@code n ≤ beams()} hypotheses at the next position: hypothesis i first takes over the cache of
         * hypothesis {@code parents[i]} of the previous step (the beams' reorder), then runs row i of
         * {@code embeddings [n, D]}; its next-token logits go to {@code logits[i]} (length ≥ vocabulary). Nothing is
         * allocated per call.
         */
        void step(int[] parents, int n, float[] embeddings, float[][] logits);

        /** Hypotheses whose caches this decoder holds (1 for greedy decoding). */
        default int beams() {
            return 1;
        }

        /** Positions filled so far (prefix + decoded tokens). */
        int length();

        /** Positions the cache holds. */
        int capacity();

        @Override
        void close();
    }

    /** Whether this backend's towers take weight matrices stored as {@code type}. */
    boolean supports(WeightType type);

    /**
     * Whether {@link #decoder} runs {@code tower}'s operations; this default takes Gemma 1 decoders only (no post
     * norms, soft-caps or sliding window).
     */
    default boolean runs(DecoderTower tower) {
        return !tower.postNorms() && tower.attnSoftCap() == 0f && tower.finalSoftCap() == 0f && tower.slidingWindow() == 0;
    }

    /** The tower on this backend; weights are sent to the device once. The caller closes it. */
    Vision vision(VitTower tower);

    /**
     * The decoder on this backend with room for {@code capacity} positions; {@code bf16Cache} rounds every
     * cached key and value to bfloat16 as the model's bf16 KV cache does. The caller closes it.
     */
    default Decoder decoder(DecoderTower tower, int capacity, boolean bf16Cache) {
        return decoder(tower, capacity, 1, bf16Cache);
    }

    /** As {@link #decoder(DecoderTower, int, boolean)} with a cache of {@code capacity} positions for each of {@code beams} hypotheses. */
    Decoder decoder(DecoderTower tower, int capacity, int beams, boolean bf16Cache);
}
