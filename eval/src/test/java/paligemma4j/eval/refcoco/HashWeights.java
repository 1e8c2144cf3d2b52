package paligemma4j.eval.refcoco;

/**
 * The deterministic test weights of scripts/eval/common.py {@code hash_weights}: element i is
 * {@code (fmix32(i·0x9E3779B1 + seed·0x632BE5AB) / 2^32 · 2 − 1) · scale} in double, rounded once to float32.
 */
final class HashWeights {
    private HashWeights() {}

    static long fmix32(long x) {
        final long m = 0xFFFFFFFFL;
        x &= m;
        x ^= x >>> 16;
        x = (x * 0x85EBCA6BL) & m;
        x ^= x >>> 13;
        x = (x * 0xC2B2AE35L) & m;
        x ^= x >>> 16;
        return x;
    }

    static float[] of(long seed, int n, double scale) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            long x = fmix32((i * 0x9E3779B1L + seed * 0x632BE5ABL) & 0xFFFFFFFFL);
            w[i] = (float) ((x / 4294967296.0 * 2.0 - 1.0) * scale);
        }
        return w;
    }
}
