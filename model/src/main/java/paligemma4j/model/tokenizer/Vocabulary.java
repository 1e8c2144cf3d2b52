package paligemma4j.model.tokenizer;

import java.util.HashMap;
import java.util.Map;

/** Pieces by id with their scores and types, and the reverse lookup piece → id (first id wins). */
final class Vocabulary {
    private final String[] pieces;
    private final float[] scores;
    private final PieceType[] types;
    private final Map<String, Integer> ids;

    Vocabulary(String[] pieces, float[] scores, PieceType[] types) {
        this.pieces = pieces;
        this.scores = scores;
        this.types = types;
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = pieces.length - 1; i >= 0; i--) {
            if (pieces[i] != null) {
                ids.put(pieces[i], i);
            }
        }
    }

    int size() {
        return pieces.length;
    }

    String piece(int id) {
        return pieces[id];
    }

    float score(int id) {
        return scores[id];
    }

    PieceType type(int id) {
        return types[id];
    }

    /** The id of {@code piece}, or -1. */
    int idOf(String piece) {
        Integer id = ids.get(piece);
        return id == null ? -1 : id;
    }

    /** The byte value of a piece spelled {@code <0xXX>} (two hex digits), or -1 for any other piece. */
    static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
