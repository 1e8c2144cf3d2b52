package paligemma4j.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Hugging Face {@code tokenizers} encoding for a {@code BPE} model ({@code add_special_tokens=false}):
 * split off added tokens (leftmost-longest; those with {@code normalized=false} on the raw text, the others
 * on the normalized text), normalize and pre-tokenize the rest, then per word: characters looked up in the
 * vocabulary (unknown ones as {@code <0xXX>} byte tokens when {@code byte_fallback}, else unk, fused when
 * {@code fuse_unk}), merged lowest merge-rank first (ties: leftmost).
 */
final class HfBpeEncoder implements TextEncoder {

    /** A pre-tokenizer: splits one normalized segment into words. */
    interface PreTokenizer {
        List<String> split(String normalized);
    }

    /**
     * The BPE model's handling of what the vocabulary lacks.
     *
     * @param unkId the unk token, or -1 to drop unknown characters
     * @param byteFallback unknown characters become {@code <0xXX>} byte tokens when all of them exist
     * @param fuseUnk consecutive unknown characters become one unk
     * @param ignoreMerges a word found whole in the vocabulary is emitted without merging
     */
    record Options(int unkId, boolean byteFallback, boolean fuseUnk, boolean ignoreMerges) {
    }

    /** Added tokens matched on the raw text ({@code normalized=false}) and on the normalized text. */
    record AddedTokens(PrefixMatcher raw, PrefixMatcher normalized) {
    }

    private final Map<String, Integer> vocab;
    private final MergeTable merges;
    private final int unkId;
    private final boolean byteFallback;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final int[] byteIds;
    private final PrefixMatcher rawAdded;
    private final PrefixMatcher normalizedAdded;
    private final UnaryOperator<String> normalizer;
    private final PreTokenizer preTokenizer;

    HfBpeEncoder(Map<String, Integer> vocab, MergeTable merges, Options options, AddedTokens added,
                 UnaryOperator<String> normalizer, PreTokenizer preTokenizer) {
        this.vocab = vocab;
        this.merges = merges;
        this.unkId = options.unkId();
        this.byteFallback = options.byteFallback();
        this.fuseUnk = options.fuseUnk();
        this.ignoreMerges = options.ignoreMerges();
        this.rawAdded = added.raw();
        this.normalizedAdded = added.normalized();
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            byteIds[b] = id == null ? -1 : id;
        }
    }

    @Override
    public int[] encode(String input) {
        String text = Utf8.sanitize(input);
        IntList out = new IntList();
        splitAdded(text, rawAdded, out, segment -> {
            String normalized = normalizer.apply(segment);
            splitAdded(normalized, normalizedAdded, out, rest -> {
                for (String word : preTokenizer.split(rest)) {
                    bpe(word, out);
                }
            });
        });
        return out.toArray();
    }

    private interface SegmentSink {
        void accept(String segment);
    }

    /** Emits added tokens found leftmost-longest in {@code text}; hands the text between them to {@code rest}. */
    private static void splitAdded(String text, PrefixMatcher added, IntList out, SegmentSink rest) {
        int segStart = 0;
        int i = 0;
        while (i < text.length()) {
            int m = added.longestMatch(text, i);
            if (m == 0) {
                i++;
                continue;
            }
            if (i > segStart) {
                rest.accept(text.substring(segStart, i));
            }
            out.add(added.valueOf(text, i, m));
            i += m;
            segStart = i;
        }
        if (segStart < text.length()) {
            rest.accept(text.substring(segStart));
        }
    }

    private void bpe(String word, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        BpeMerger.Symbols symbols = new BpeMerger.Symbols(word.length() * 4);
        int offset = 0;   // synthetic UTF-8 byte offsets: the HF rules only look at ids
        int unkLen = 0;   // pending (possibly fused) unknown run, in bytes
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int chars = Character.charCount(cp);
            String ch = word.substring(i, i + chars);
            i += chars;
            Integer id = vocab.get(ch);
            byte[] utf8 = Utf8.bytes(ch);
            if (id != null) {
                offset = flushUnk(symbols, offset, unkLen);
                unkLen = 0;
                symbols.add(offset, utf8.length, id, false);
                offset += utf8.length;
                continue;
            }
            if (byteFallback && allBytesKnown(utf8)) {
                offset = flushUnk(symbols, offset, unkLen);
                unkLen = 0;
                for (byte b : utf8) {
                    symbols.add(offset++, 1, byteIds[b & 0xFF], false);
                }
                continue;
            }
            if (unkId < 0) {
                continue; // no unk token: tokenizers drops the character
            }
            if (unkLen > 0 && !fuseUnk) {
                offset = flushUnk(symbols, offset, unkLen);
                unkLen = 0;
            }
            unkLen += utf8.length;
        }
        flushUnk(symbols, offset, unkLen);
        if (symbols.count == 0) {
            return; // every character dropped (no piece, no byte fallback, no unk): no tokens, as in tokenizers
        }
        int[] next = BpeMerger.merge(word, symbols, (t, start, mid, end, leftId, rightId, cand) -> {
            int slot = merges.find(leftId, rightId);
            if (slot < 0) {
                return false;
            }
            cand.priority = -merges.rank(slot);
            cand.id = merges.mergedId(slot);
            return true;
        });
        for (int s = 0; s != -1; s = next[s]) {
            out.add(symbols.id[s]);
        }
    }

    private int flushUnk(BpeMerger.Symbols symbols, int offset, int unkLen) {
        if (unkLen > 0) {
            symbols.add(offset, unkLen, unkId, false);
            offset += unkLen;
        }
        return offset;
    }

    private boolean allBytesKnown(byte[] utf8) {
        for (byte b : utf8) {
            if (byteIds[b & 0xFF] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Tokenizers' {@code Split} pre-tokenizer with a literal pattern ({@code invert=false}). */
    static PreTokenizer split(String pattern, String behavior) {
        return text -> {
            List<int[]> spans = new ArrayList<>(); // [start, end, isMatch]
            int pos = 0;
            int at;
            while (!pattern.isEmpty() && (at = text.indexOf(pattern, pos)) >= 0) {
                if (at > pos) {
                    spans.add(new int[] {pos, at, 0});
                }
                spans.add(new int[] {at, at + pattern.length(), 1});
                pos = at + pattern.length();
            }
            if (pos < text.length()) {
                spans.add(new int[] {pos, text.length(), 0});
            }
            List<String> words = new ArrayList<>();
            switch (behavior) {
                case "Removed" -> spans.stream().filter(s -> s[2] == 0).forEach(s -> words.add(text.substring(s[0], s[1])));
                case "Isolated" -> spans.forEach(s -> words.add(text.substring(s[0], s[1])));
                case "MergedWithPrevious" -> {
                    int start = 0;
                    for (int[] s : spans) {
                        if (s[2] == 1) {
                            words.add(text.substring(start, s[1]));
                            start = s[1];
                        }
                    }
                    if (start < text.length()) {
                        words.add(text.substring(start));
                    }
                }
                case "MergedWithNext" -> {
                    int start = 0;
                    for (int[] s : spans) {
                        if (s[2] == 1 && s[0] > start) {
                            words.add(text.substring(start, s[0]));
                            start = s[0];
                        }
                    }
                    if (start < text.length()) {
                        words.add(text.substring(start));
                    }
                }
                case "Contiguous" -> {
                    int start = 0;
                    int prevMatch = -1;
                    for (int[] s : spans) {
                        if (prevMatch >= 0 && prevMatch != s[2]) {
                            words.add(text.substring(start, s[0]));
                            start = s[0];
                        }
                        prevMatch = s[2];
                    }
                    if (start < text.length()) {
                        words.add(text.substring(start));
                    }
                }
                default -> throw new IllegalArgumentException("unsupported Split behavior " + behavior);
            }
            words.removeIf(String::isEmpty);
            return words;
        };
    }
}
