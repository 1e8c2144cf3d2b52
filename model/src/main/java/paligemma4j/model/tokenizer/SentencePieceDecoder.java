package paligemma4j.model.tokenizer;

/**
 * SentencePiece {@code DecodeIds}: control pieces vanish, the unknown piece becomes the file's
 * {@code unk_surface}, runs of byte pieces are reassembled as UTF-8 (each invalid byte → U+FFFD),
 * U+2581 becomes a space, user-defined pieces are emitted as they are spelled. The first piece's leading
 * U+2581 is dropped only when the file's normalizer adds a dummy prefix or removes extra whitespace.
 */
final class SentencePieceDecoder implements TextDecoder {
    private final Vocabulary vocab;
    private final String unkSurface;
    private final boolean stripLeadingSpace;
    private final boolean stripAllLeadingSpace;

    SentencePieceDecoder(Vocabulary vocab, String unkSurface, SentencePieceModelProto.NormalizerSpec normalizer) {
        this.vocab = vocab;
        this.unkSurface = unkSurface;
        this.stripLeadingSpace = normalizer.addDummyPrefix() || normalizer.removeExtraWhitespaces();
        this.stripAllLeadingSpace = normalizer.removeExtraWhitespaces();
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        StringBuilder text = new StringBuilder();
        byte[] bytes = new byte[Math.max(0, to - from)];
        int nBytes = 0;
        boolean bosWs = true;     // still at the start, where a leading U+2581 may be consumed
        boolean bosWsSeen = false;
        for (int k = from; k < to; k++) {
            int id = ids[k];
            if (id < 0 || id >= vocab.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab.size() + ")");
            }
            PieceType type = vocab.type(id);
            if (type == PieceType.BYTE) {
                bytes[nBytes++] = (byte) Vocabulary.byteValue(vocab.piece(id));
                continue;
            }
            Utf8.appendLenient(text, bytes, nBytes);
            nBytes = 0;
            if (bosWsSeen || !text.isEmpty()) {
                bosWs = false;
            }
            bosWsSeen = false;
            if (type == PieceType.CONTROL) {
                continue;
            }
            if (type == PieceType.UNKNOWN) {
                text.append(unkSurface);
                continue;
            }
            String piece = vocab.piece(id);
            if (bosWs && stripLeadingSpace && !piece.isEmpty() && piece.charAt(0) == SentencePieceEncoder.SPACE_SYMBOL) {
                piece = piece.substring(1);
                bosWsSeen = !stripAllLeadingSpace;
            }
            text.append(piece.replace(SentencePieceEncoder.SPACE_SYMBOL, ' '));
        }
        Utf8.appendLenient(text, bytes, nBytes);
        return text.toString();
    }
}
