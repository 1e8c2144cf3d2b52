package paligemma4j.model.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * PaliGemma's text tokenizer in pure Java: a SentencePiece BPE {@code .model} file (Gemma's format,
 * including the {@code <locNNNN>}/{@code <segNNN>} user-defined pieces) or a Hugging Face
 * {@code tokenizer.json} with a BPE model, each encoded and decoded with its reference library's rules.
 * Special ids come from the file, never from constants.
 *
 * <p>Model input (docs/model.md#model-input): {@link #prefixTokens} =
 * {@code [<bos>] + encode(prompt) + encode("\n")}, the separator tokenized on its own.
 * Output (docs/model.md#detokenization): {@link #decode} cuts at the first {@code <eos>}.
 */
public final class Tokenizer {

    /** The ids of {@code <bos>}, {@code <eos>}, {@code <pad>} and the unknown piece per the file; -1 where it has none. */
    record SpecialIds(int bos, int eos, int pad, int unk) {
    }

    private final Path file;
    private final Vocabulary vocab;
    private final TextEncoder encoder;
    private final TextDecoder decoder;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;

    Tokenizer(Path file, Vocabulary vocab, TextEncoder encoder, TextDecoder decoder, SpecialIds special) {
        this.file = file;
        this.vocab = vocab;
        this.encoder = encoder;
        this.decoder = decoder;
        this.bosId = special.bos();
        this.eosId = special.eos();
        this.padId = special.pad();
        this.unkId = special.unk();
    }

    /**
     * Loads a tokenizer: a {@code .json} file (or one that starts with '{') is read as Hugging Face
     * {@code tokenizer.json}, anything else as a SentencePiece {@code .model} protobuf.
     *
     * @throws TokenizerException a one-line message naming the file if it is missing, unreadable or malformed
     */
    public static Tokenizer load(Path file) {
        return parse(file, readBounded(file));
    }

    /** {@link #load} of bytes already read; {@code file} names them in errors (and locates tokenizer_config.json). */
    static Tokenizer parse(Path file, byte[] bytes) {
        if (bytes.length == 0) throw new TokenizerException("tokenizer file " + file + " is empty");
        boolean json = file.getFileName() != null && file.getFileName().toString().endsWith(".json")
                || firstNonSpace(bytes) == '{';
        String looks = paligemma4j.checkpoint.FileSignature.describe(java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 16)));
        if (looks.startsWith("a ")) {
            throw new TokenizerException("tokenizer file " + file + " is not a tokenizer: looks like " + looks
                    + "; expected a SentencePiece .model or tokenizer.json");
        }
        try {
            return json ? HfTokenizerJson.read(file, bytes) : SentencePieceModelFile.read(file, bytes);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            String what = json ? "Hugging Face tokenizer.json" : "SentencePiece .model";
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
            throw new TokenizerException("tokenizer file " + file + " is not a usable " + what + ": " + msg, e);
        }
    }

    /** Largest tokenizer file read (Gemma 3's tokenizer.json is about 33 MB): bounds the allocation. */
    static final long MAX_FILE_BYTES = 512L << 20;

    /** The file's bytes, refusing a directory, a device or pipe, and files no tokenizer is as large as. */
    static byte[] readBounded(Path file) {
        try {
            if (!Files.exists(file)) throw new TokenizerException("tokenizer file " + file + " does not exist");
            if (Files.isDirectory(file)) throw new TokenizerException("tokenizer file " + file + " is a directory");
            if (!Files.isRegularFile(file)) {
                throw new TokenizerException("tokenizer file " + file + " is not a regular file (a device, pipe or socket)");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new TokenizerException("tokenizer file " + file + " has " + size + " bytes, more than any tokenizer ("
                        + MAX_FILE_BYTES + "): expected a SentencePiece .model or tokenizer.json");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) throw new TokenizerException("tokenizer file " + file + " is empty");
            return bytes;
        } catch (NoSuchFileException e) {
            throw new TokenizerException("tokenizer file " + file + " does not exist");
        } catch (IOException | SecurityException | OutOfMemoryError e) {
            throw new TokenizerException("cannot read tokenizer file " + file + ": " + e, e);
        }
    }

    /** Token ids of {@code text} (no bos/eos added). */
    public int[] encode(String text) {
        return encoder.encode(text);
    }

    /**
     * Text of {@code ids} up to (excluding) the first {@code <eos>}, as big_vision's {@code to_str}:
     * control tokens vanish, byte pieces are reassembled into UTF-8, U+2581 becomes a space and
     * user-defined pieces such as {@code <loc0123>} are kept literally.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, vocabSize())}
     */
    public String decode(int[] ids) {
        int end = ids.length;
        if (eosId >= 0) {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == eosId) {
                    end = i;
                    break;
                }
            }
        }
        return decoder.decode(ids, 0, end);
    }

    /**
     * The model's text prefix for a prompt (docs/model.md#model-input):
     * {@code [<bos>] + encode(prompt) + encode("\n")}.
     *
     * @throws TokenizerException if the file defines no {@code <bos>} control piece
     */
    public int[] prefixTokens(String prompt) {
        if (bosId < 0) {
            throw new TokenizerException("tokenizer file " + file + " defines no <bos> control piece");
        }
        int[] p = encode(prompt);
        int[] nl = encode("\n");
        int[] out = new int[1 + p.length + nl.length];
        out[0] = bosId;
        System.arraycopy(p, 0, out, 1, p.length);
        System.arraycopy(nl, 0, out, 1 + p.length, nl.length);
        return out;
    }

    /** Number of ids (pieces) in the file: valid ids are {@code [0, vocabSize())}. */
    public int vocabSize() {
        return vocab.size();
    }

    /** Id of {@code <bos>} per the file, or -1 if it has none. */
    public int bosId() {
        return bosId;
    }

    /** Id of {@code <eos>} per the file, or -1 if it has none. */
    public int eosId() {
        return eosId;
    }

    /** Id of {@code <pad>} per the file, or -1 if it has none. */
    public int padId() {
        return padId;
    }

    /** Id of the unknown piece per the file, or -1 if it has none. */
    public int unkId() {
        return unkId;
    }

    /** Id of the piece spelled exactly {@code piece} (e.g. {@code "<loc0123>"}), or -1. */
    public int idOf(String piece) {
        return vocab.idOf(piece);
    }

    /**
     * The piece of {@code id} as spelled in the file (U+2581 for spaces, {@code <0x0A>} for byte pieces).
     *
     * @throws IllegalArgumentException if {@code id} is outside {@code [0, vocabSize())}
     */
    public String piece(int id) {
        checkId(id);
        return vocab.piece(id);
    }

    /** The type of piece {@code id} (Hugging Face files: special added tokens are CONTROL, other added tokens USER_DEFINED). */
    public PieceType pieceType(int id) {
        checkId(id);
        return vocab.type(id);
    }

    /** The file this tokenizer was loaded from. */
    public Path file() {
        return file;
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab.size() + ") of " + file);
        }
    }

    private static int firstNonSpace(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\n' && x != '\r' && x != '\t') {
                return x;
            }
        }
        return -1;
    }
}
