package paligemma4j.model.tokenizer;

/** SentencePiece piece types ({@code ModelProto.SentencePiece.Type}), with their protobuf numbers. */
public enum PieceType {
    NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    private final int number;

    PieceType(int number) {
        this.number = number;
    }

    /** The type with protobuf enum number {@code n}, or null if there is none. */
    static PieceType ofNumber(int n) {
        for (PieceType t : values()) {
            if (t.number == n) {
                return t;
            }
        }
        return null;
    }
}
