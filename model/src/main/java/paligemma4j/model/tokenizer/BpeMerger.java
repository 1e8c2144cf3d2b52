package paligemma4j.model.tokenizer;

import java.util.PriorityQueue;

/**
 * The BPE merge loop shared by SentencePiece ({@code bpe_model.cc}) and Hugging Face ({@code bpe/word.rs}):
 * adjacent symbols are merged best-pair-first (highest priority; ties go to the leftmost pair), with
 * stale queue entries skipped, until no adjacent pair has a rule. Frozen symbols never merge.
 */
final class BpeMerger {

    /** Rule lookup for merging two adjacent symbols. */
    interface Rules {
        /**
         * Looks up the merge of the symbol covering {@code text[start, mid)} (id {@code leftId}) with the one
         * covering {@code text[mid, end)} (id {@code rightId}). Returns false if there is none; otherwise stores
         * the priority (larger merges first) and the merged symbol's id into {@code out}.
         */
        boolean find(String text, int start, int mid, int end, int leftId, int rightId, Candidate out);
    }

    /** Output slot of {@link Rules#find}. */
    static final class Candidate {
        float priority;
        int id;
    }

    /** Symbols over a text: each covers {@code [start, start + length)} chars and has an id (or -1). */
    static final class Symbols {
        final int[] start;
        final int[] length;
        final int[] id;
        final boolean[] frozen;
        int count;

        Symbols(int capacity) {
            start = new int[capacity];
            length = new int[capacity];
            id = new int[capacity];
            frozen = new boolean[capacity];
        }

        void add(int s, int len, int tokenId, boolean freeze) {
            start[count] = s;
            length[count] = len;
            id[count] = tokenId;
            frozen[count] = freeze;
            count++;
        }
    }

    private record Pair(int left, int right, float priority, int newId, int size) {
    }

    private BpeMerger() {
    }

    /**
     * Merges {@code symbols} in place (merged-away symbols get length 0) and returns the links between the
     * survivors: symbol 0 always survives and {@code next[i]} is the one after {@code i} (-1 at the end).
     */
    static int[] merge(String text, Symbols symbols, Rules rules) {
        int n = symbols.count;
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Pair> agenda = new PriorityQueue<>((a, b) -> {
            int c = Float.compare(b.priority, a.priority);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        Candidate cand = new Candidate();
        for (int i = 1; i < n; i++) {
            offer(text, symbols, rules, agenda, cand, i - 1, i);
        }
        while (!agenda.isEmpty()) {
            Pair top = agenda.poll();
            int l = top.left;
            int r = top.right;
            if (symbols.length[l] == 0 || symbols.length[r] == 0 || next[l] != r
                    || symbols.length[l] + symbols.length[r] != top.size) {
                continue; // stale: one side has merged since this pair was queued
            }
            symbols.length[l] += symbols.length[r];
            symbols.id[l] = top.newId;
            symbols.length[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                offer(text, symbols, rules, agenda, cand, prev[l], l);
            }
            if (next[l] >= 0) {
                offer(text, symbols, rules, agenda, cand, l, next[l]);
            }
        }
        return next;
    }

    private static void offer(String text, Symbols s, Rules rules, PriorityQueue<Pair> agenda, Candidate cand,
                              int left, int right) {
        if (s.frozen[left] || s.frozen[right]) {
            return;
        }
        int start = s.start[left];
        int mid = start + s.length[left];
        int end = mid + s.length[right];
        if (rules.find(text, start, mid, end, s.id[left], s.id[right], cand)) {
            agenda.add(new Pair(left, right, cand.priority, cand.id, end - start));
        }
    }
}
