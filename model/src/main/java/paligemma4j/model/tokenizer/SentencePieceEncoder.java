package paligemma4j.model.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * SentencePiece BPE encoding, as {@code SentencePieceProcessor::Encode} with a BPE model:
 * normalize (whitespace options from the file's {@code normalizer_spec}; no character map), split into
 * characters with user-defined pieces matched whole and frozen, merge the pair whose merged piece has the
 * highest score (ties: leftmost), re-split UNUSED pieces into the pair they were made from, then map unknown
 * pieces to UTF-8 byte pieces when {@code byte_fallback} is on (otherwise runs of unknowns become one unk).
 */
final class SentencePieceEncoder implements TextEncoder {
    static final char SPACE_SYMBOL = '\u2581';

    /**
     * Piece → id maps as sentencepiece keeps them.
     *
     * @param mergeable NORMAL, USER_DEFINED and UNUSED pieces (sentencepiece's {@code pieces_}), the BPE merge targets
     * @param reserved CONTROL, UNKNOWN and BYTE pieces (sentencepiece's {@code reserved_id_map_})
     * @param unkId the UNKNOWN piece, for text found in neither map
     */
    record PieceIds(Map<String, Integer> mergeable, Map<String, Integer> reserved, int unkId) {
        int idOf(String piece) {
            Integer id = reserved.get(piece);
            if (id == null) {
                id = mergeable.get(piece);
            }
            return id == null ? unkId : id;
        }
    }

    private final Vocabulary vocab;
    private final PieceIds pieceIds;
    private final Map<String, Integer> mergeable;
    private final PrefixMatcher userDefined;
    private final SentencePieceModelProto.NormalizerSpec normalizer;
    private final boolean whitespaceAsSuffix;
    private final int[] byteIds; // id of <0xXX>, or null without byte fallback

    SentencePieceEncoder(Vocabulary vocab, PieceIds pieceIds, SentencePieceModelProto.NormalizerSpec normalizer,
                         boolean whitespaceAsSuffix, int[] byteIds) {
        this.vocab = vocab;
        this.pieceIds = pieceIds;
        this.mergeable = pieceIds.mergeable();
        this.normalizer = normalizer;
        this.whitespaceAsSuffix = whitespaceAsSuffix;
        this.byteIds = byteIds;
        this.userDefined = new PrefixMatcher();
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.type(id) == PieceType.USER_DEFINED) {
                userDefined.add(vocab.piece(id), id);
            }
        }
    }

    @Override
    public int[] encode(String input) {
        String text = normalize(Utf8.sanitize(input));
        if (text.isEmpty()) {
            return new int[0];
        }
        BpeMerger.Symbols symbols = new BpeMerger.Symbols(text.length());
        for (int i = 0; i < text.length(); ) {
            int m = userDefined.longestMatch(text, i);
            boolean frozen = m > 0;
            int len = frozen ? m : Character.charCount(text.codePointAt(i));
            symbols.add(i, len, -1, frozen);
            i += len;
        }
        Map<String, String[]> reverseMerges = new HashMap<>();
        int[] next = BpeMerger.merge(text, symbols, (t, start, mid, end, leftId, rightId, out) -> {
            String piece = t.substring(start, end);
            Integer id = mergeable.get(piece);
            if (id == null) {
                return false;
            }
            out.priority = vocab.score(id);
            out.id = id;
            if (vocab.type(id) == PieceType.UNUSED) { // remembered to re-split it (last offer wins)
                reverseMerges.put(piece, new String[] {t.substring(start, mid), t.substring(mid, end)});
            }
            return true;
        });
        IntList ids = new IntList();
        boolean[] prevUnk = {false};
        for (int i = 0; i != -1; i = next[i]) {
            String piece = text.substring(symbols.start[i], symbols.start[i] + symbols.length[i]);
            resegment(piece, reverseMerges, ids, prevUnk);
        }
        return ids.toArray();
    }

    private void resegment(String piece, Map<String, String[]> reverseMerges, IntList ids, boolean[] prevUnk) {
        int id = pieceIds.idOf(piece);
        if (vocab.type(id) == PieceType.UNUSED) {
            String[] parts = reverseMerges.get(piece);
            if (parts != null) {
                resegment(parts[0], reverseMerges, ids, prevUnk);
                resegment(parts[1], reverseMerges, ids, prevUnk);
                return;
            }
        }
        boolean unk = vocab.type(id) == PieceType.UNKNOWN;
        if (vocab.type(id) == PieceType.CONTROL) {
            ids.add(id);
        } else if (unk && byteIds != null) {
            for (byte b : Utf8.bytes(piece)) {
                ids.add(byteIds[b & 0xFF]);
            }
        } else if (!(unk && prevUnk[0])) { // a run of unknown pieces becomes one unk
            ids.add(id);
        }
        prevUnk[0] = unk;
    }

    /** {@code normalizer.cc} without a character map: dummy prefix, extra-whitespace removal, ' ' to U+2581. */
    String normalize(String input) {
        boolean removeExtra = normalizer.removeExtraWhitespaces();
        int i = 0;
        int n = input.length();
        if (removeExtra) {
            while (i < n && unitLength(input, i) == 1 && input.charAt(i) == ' ') {
                i++;
            }
        }
        if (i == n) {
            return "";
        }
        StringBuilder out = new StringBuilder(n + 2);
        if (!whitespaceAsSuffix && normalizer.addDummyPrefix()) {
            appendSpace(out);
        }
        boolean prevSpace = removeExtra;
        while (i < n) {
            int len = unitLength(input, i);
            int from = i;
            int to = i + len;
            while (prevSpace && from < to && input.charAt(from) == ' ') {
                from++;
            }
            if (from < to) {
                for (int k = from; k < to; k++) {
                    char c = input.charAt(k);
                    if (c == ' ') {
                        appendSpace(out);
                    } else {
                        out.append(c);
                    }
                }
                prevSpace = input.charAt(to - 1) == ' ';
            }
            i = to;
            if (!removeExtra) {
                prevSpace = false;
            }
        }
        if (removeExtra) {
            char space = normalizer.escapeWhitespaces() ? SPACE_SYMBOL : ' ';
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == space) {
                end--;
            }
            out.setLength(end);
        }
        if (whitespaceAsSuffix && normalizer.addDummyPrefix()) {
            appendSpace(out);
        }
        return out.toString();
    }

    /** One normalization unit: a user-defined piece matched whole, else one code point. */
    private int unitLength(String s, int i) {
        int m = userDefined.longestMatch(s, i);
        return m > 0 ? m : Character.charCount(s.codePointAt(i));
    }

    private void appendSpace(StringBuilder out) {
        out.append(normalizer.escapeWhitespaces() ? SPACE_SYMBOL : ' ');
    }
}
