package paligemma4j.model;

import paligemma4j.kernels.TowerOps;

/**
 * The state after the prefix has run: its cache (rows [0, length) filled), its length and the
 * next-token logits at its last position.
 *
 * @param cache  the host KV cache; null when the prefix ran in the backend's decoder
 * @param device the backend's decoder holding this prefix's KV cache;
 *               null for a host cache. Valid until the model's next device prefill ({@link PaliGemma#prefillFor}).
 */
public record Prefix(KVCache cache, int length, float[] logits, TowerOps.Decoder device) {

    /** A prefix whose KV cache is on the host. */
    public Prefix(KVCache cache, int length, float[] logits) {
        this(cache, length, logits, null);
    }
}
