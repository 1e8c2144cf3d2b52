package paligemma4j.model.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code ModelProto} (sentencepiece_model.proto) that encoding and decoding use.
 * Defaults are the proto2 defaults of that file, so an absent field means what it means to sentencepiece.
 */
record SentencePieceModelProto(List<Piece> pieces, TrainerSpec trainer, NormalizerSpec normalizer,
                               NormalizerSpec denormalizer) {

    /** One vocabulary entry ({@code ModelProto.SentencePiece}). */
    record Piece(String piece, float score, PieceType type) {
    }

    /** {@code TrainerSpec} fields read at inference time. {@code modelType}: 1 unigram, 2 BPE, 3 word, 4 char. */
    record TrainerSpec(int modelType, boolean byteFallback, boolean treatWhitespaceAsSuffix,
                       SpecialPieces specialPieces, String unkSurface) {
        static final int BPE = 2;
    }

    /**
     * The spellings of the special pieces ({@code unk_piece}, {@code bos_piece}, …): sentencepiece's
     * {@code unk_id()}, {@code bos_id()}, … look these up rather than trusting the numeric id fields.
     */
    record SpecialPieces(String unk, String bos, String eos, String pad) {
    }

    /** {@code NormalizerSpec}: name, whether a precompiled character map is present, whitespace options. */
    record NormalizerSpec(String name, int charsmapBytes, boolean addDummyPrefix, boolean removeExtraWhitespaces,
                          boolean escapeWhitespaces) {
        static final NormalizerSpec ABSENT = new NormalizerSpec("", 0, true, true, true);
    }

    /** Parses a serialized {@code ModelProto}; malformed bytes raise {@link IllegalArgumentException}. */
    static SentencePieceModelProto parse(byte[] bytes) {
        ProtoReader r = new ProtoReader(bytes);
        List<Piece> pieces = new ArrayList<>();
        TrainerSpec trainer = parseTrainer(null);
        NormalizerSpec normalizer = NormalizerSpec.ABSENT;
        NormalizerSpec denormalizer = null;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> pieces.add(parsePiece(r.message(), pieces.size()));
                case 2 -> trainer = parseTrainer(r.message());
                case 3 -> normalizer = parseNormalizer(r.message());
                case 5 -> denormalizer = parseNormalizer(r.message());
                default -> r.skip();
            }
        }
        return new SentencePieceModelProto(List.copyOf(pieces), trainer, normalizer, denormalizer);
    }

    private static Piece parsePiece(ProtoReader r, int index) {
        String piece = "";
        float score = 0f;
        int type = 1;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> piece = r.string();
                case 2 -> score = r.float32();
                case 3 -> type = r.int32();
                default -> r.skip();
            }
        }
        PieceType t = PieceType.ofNumber(type);
        if (t == null) {
            throw new IllegalArgumentException("piece " + index + " has unknown type " + type);
        }
        if (piece.isEmpty()) {
            throw new IllegalArgumentException("piece " + index + " is empty");
        }
        return new Piece(piece, score, t);
    }

    private static TrainerSpec parseTrainer(ProtoReader r) {
        int modelType = 1;
        boolean byteFallback = false;
        boolean suffix = false;
        String unk = "<unk>";
        String bos = "<s>";
        String eos = "</s>";
        String pad = "<pad>";
        String unkSurface = " \u2047 ";
        while (r != null && r.next()) {
            switch (r.fieldNumber()) {
                case 3 -> modelType = r.int32();
                case 24 -> suffix = r.bool();
                case 35 -> byteFallback = r.bool();
                case 44 -> unkSurface = r.string();
                case 45 -> unk = r.string();
                case 46 -> bos = r.string();
                case 47 -> eos = r.string();
                case 48 -> pad = r.string();
                default -> r.skip();
            }
        }
        return new TrainerSpec(modelType, byteFallback, suffix, new SpecialPieces(unk, bos, eos, pad), unkSurface);
    }

    private static NormalizerSpec parseNormalizer(ProtoReader r) {
        String name = "";
        int charsmap = 0;
        boolean dummy = true;
        boolean removeExtra = true;
        boolean escape = true;
        while (r.next()) {
            switch (r.fieldNumber()) {
                case 1 -> name = r.string();
                case 2 -> charsmap = r.bytes().length;
                case 3 -> dummy = r.bool();
                case 4 -> removeExtra = r.bool();
                case 5 -> escape = r.bool();
                default -> r.skip();
            }
        }
        return new NormalizerSpec(name, charsmap, dummy, removeExtra, escape);
    }
}
