package paligemma4j.model.tokenizer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Tokenizer} from a SentencePiece {@code .model} file, with the checks sentencepiece makes
 * when it loads one ({@code ModelInterface::InitializePieces}) plus the limits of this port: BPE models only,
 * and no precompiled normalization character map (Gemma's normalizer is the identity).
 */
final class SentencePieceModelFile {
    private SentencePieceModelFile() {
    }

    static Tokenizer read(Path file, byte[] bytes) {
        SentencePieceModelProto proto = SentencePieceModelProto.parse(bytes);
        SentencePieceModelProto.TrainerSpec trainer = proto.trainer();
        SentencePieceModelProto.NormalizerSpec normalizer = proto.normalizer();
        if (trainer.modelType() != SentencePieceModelProto.TrainerSpec.BPE) {
            throw new IllegalArgumentException("trainer_spec.model_type is " + modelTypeName(trainer.modelType())
                    + ", only BPE is supported");
        }
        if (normalizer.charsmapBytes() > 0) {
            throw new IllegalArgumentException("normalizer_spec.name is \"" + normalizer.name() + "\" with a "
                    + normalizer.charsmapBytes() + "-byte precompiled_charsmap; only the identity normalizer (no charsmap) is supported");
        }
        if (proto.denormalizer() != null && proto.denormalizer().charsmapBytes() > 0) {
            throw new IllegalArgumentException("denormalizer_spec has a precompiled_charsmap, which is not supported");
        }
        List<SentencePieceModelProto.Piece> list = proto.pieces();
        if (list.isEmpty()) {
            throw new IllegalArgumentException("the model has no pieces");
        }
        int n = list.size();
        String[] pieces = new String[n];
        float[] scores = new float[n];
        PieceType[] types = new PieceType[n];
        Map<String, Integer> mergeable = new HashMap<>(n * 2);
        Map<String, Integer> reserved = new HashMap<>();
        int unkId = -1;
        int[] byteIds = new int[256];
        java.util.Arrays.fill(byteIds, -1);
        for (int id = 0; id < n; id++) {
            SentencePieceModelProto.Piece p = list.get(id);
            pieces[id] = p.piece();
            scores[id] = p.score();
            types[id] = p.type();
            boolean normal = p.type() == PieceType.NORMAL || p.type() == PieceType.USER_DEFINED || p.type() == PieceType.UNUSED;
            if ((normal ? mergeable : reserved).putIfAbsent(p.piece(), id) != null) {
                throw new IllegalArgumentException("piece \"" + p.piece() + "\" (id " + id + ") is already defined");
            }
            if (p.type() == PieceType.UNKNOWN) {
                if (unkId >= 0) {
                    throw new IllegalArgumentException("a second unknown piece at id " + id + " (the first is " + unkId + ")");
                }
                unkId = id;
            }
            if (p.type() == PieceType.BYTE) {
                int b = Vocabulary.byteValue(p.piece());
                if (!trainer.byteFallback()) {
                    throw new IllegalArgumentException("byte piece " + p.piece() + " found although trainer_spec.byte_fallback is false");
                }
                if (b < 0 || !String.format("<0x%02X>", b).equals(p.piece())) {
                    throw new IllegalArgumentException("byte piece " + p.piece() + " (id " + id + ") is not spelled <0xXX>");
                }
                byteIds[b] = id;
            }
        }
        if (unkId < 0) {
            throw new IllegalArgumentException("no piece has type UNKNOWN");
        }
        if (trainer.byteFallback()) {
            for (int b = 0; b < 256; b++) {
                if (byteIds[b] < 0) {
                    throw new IllegalArgumentException(String.format(
                            "trainer_spec.byte_fallback is true but piece <0x%02X> is missing", b));
                }
            }
        }
        Vocabulary vocab = new Vocabulary(pieces, scores, types);
        SentencePieceEncoder encoder = new SentencePieceEncoder(vocab, new SentencePieceEncoder.PieceIds(mergeable, reserved, unkId),
                normalizer, trainer.treatWhitespaceAsSuffix(), trainer.byteFallback() ? byteIds : null);
        SentencePieceDecoder decoder = new SentencePieceDecoder(vocab, trainer.unkSurface(), normalizer);
        // sentencepiece's bos_id(), eos_id(), pad_id(), unk_id(): the trainer_spec piece name, if it is CONTROL (UNKNOWN)
        SentencePieceModelProto.SpecialPieces specials = trainer.specialPieces();
        int bos = special(vocab, specials.bos(), PieceType.CONTROL);
        int eos = special(vocab, specials.eos(), PieceType.CONTROL);
        int pad = special(vocab, specials.pad(), PieceType.CONTROL);
        int unk = special(vocab, specials.unk(), PieceType.UNKNOWN);
        return new Tokenizer(file, vocab, encoder, decoder, new Tokenizer.SpecialIds(bos, eos, pad, unk));
    }

    private static int special(Vocabulary vocab, String piece, PieceType type) {
        int id = vocab.idOf(piece);
        return id >= 0 && vocab.type(id) == type ? id : -1;
    }

    private static String modelTypeName(int t) {
        return switch (t) {
            case 1 -> "UNIGRAM";
            case 2 -> "BPE";
            case 3 -> "WORD";
            case 4 -> "CHAR";
            default -> String.valueOf(t);
        };
    }
}
