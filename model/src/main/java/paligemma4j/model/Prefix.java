package paligemma4j.model;

/**
 * The state after the prefix has run: its cache (rows [0, length) filled), its length and the
 * next-token logits at its last position.
 */
public record Prefix(KVCache cache, int length, float[] logits) {}
