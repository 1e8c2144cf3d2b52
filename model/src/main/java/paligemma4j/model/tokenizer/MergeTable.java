package paligemma4j.model.tokenizer;

import java.util.Arrays;

/** Open-addressing map (left id, right id) → (merge rank, merged id) for Hugging Face BPE merges. */
final class MergeTable {
    private long[] keys;
    private int[] ranks;
    private int[] merged;
    private int size;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, -1L);
        ranks = new int[cap];
        merged = new int[cap];
    }

    /** Adds a rule; a later rule for the same pair replaces the earlier one (as collecting tokenizers' merge map). */
    void put(int left, int right, int rank, int mergedId) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(left, right);
        int slot = slot(key);
        if (keys[slot] == -1L) {
            keys[slot] = key;
            size++;
        }
        ranks[slot] = rank;
        merged[slot] = mergedId;
    }

    /** Slot index of the rule for (left, right), or -1. */
    int find(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        return keys[slot] == -1L ? -1 : slot;
    }

    int rank(int slot) {
        return ranks[slot];
    }

    int mergedId(int slot) {
        return merged[slot];
    }

    private static long key(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        int mask = keys.length - 1;
        int h = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (keys[h] != -1L && keys[h] != key) {
            h = (h + 1) & mask;
        }
        return h;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldRanks = ranks;
        int[] oldMerged = merged;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, -1L);
        ranks = new int[keys.length];
        merged = new int[keys.length];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != -1L) {
                int s = slot(oldKeys[i]);
                keys[s] = oldKeys[i];
                ranks[s] = oldRanks[i];
                merged[s] = oldMerged[i];
            }
        }
    }
}
