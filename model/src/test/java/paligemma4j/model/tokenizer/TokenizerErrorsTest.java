package paligemma4j.model.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad tokenizer files and bad ids: one-line errors that name the file (or the id) and the cause. */
class TokenizerErrorsTest {
    @TempDir
    Path dir;

    private static String oneLineMessage(Throwable t) {
        assertThat(t).isInstanceOf(TokenizerException.class);
        assertThat(t.getMessage()).doesNotContain("\n");
        return t.getMessage();
    }

    private String loadError(Path file) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Tokenizer.load(file));
        return oneLineMessage(t);
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nope.model");
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file + " does not exist");
    }

    @Test
    void directoryIsUnreadable() {
        assertThat(loadError(dir)).isEqualTo("tokenizer file " + dir + " is a directory");
    }

    @Test
    void devZeroIsRefusedBeforeReading() {
        assertThat(loadError(Path.of("/dev/zero")))
                .isEqualTo("tokenizer file /dev/zero is not a regular file (a device, pipe or socket)");
    }

    @Test
    void aHugeFileIsRefusedBeforeReading() throws IOException {
        Path file = dir.resolve("huge.model");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), (3L << 30) - 1);   // sparse: 3 GiB, no disk used
        }
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file + " has 3221225472 bytes, more than any tokenizer"
                + " (536870912): expected a SentencePiece .model or tokenizer.json");
    }

    @Test
    void anImageGivenAsTokenizerIsNamed() throws IOException {
        Path file = Files.write(dir.resolve("cat.model"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16});
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file
                + " is not a tokenizer: looks like a JPEG image; expected a SentencePiece .model or tokenizer.json");
        Path json = Files.write(dir.resolve("tokenizer.json"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        assertThat(loadError(json)).isEqualTo("tokenizer file " + json
                + " is not a tokenizer: looks like a PNG image; expected a SentencePiece .model or tokenizer.json");
    }

    @Test
    void aHugeIdInTokenizerJsonIsRefusedBeforeAllocating() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"),
                "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 2000000000}, \"merges\": []}}");
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file + " is not a usable Hugging Face tokenizer.json: "
                + "model.vocab[\"a\"] is not an id in [0, 16777216)");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 5000000}, \"merges\": []}}");
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file + " is not a usable Hugging Face tokenizer.json: "
                + "ids run up to 5000000 but the file defines only 2 pieces");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.model"));
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file + " is empty");
    }

    @Test
    void truncatedModel() throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.path("tiny.model"));
        Path file = Files.write(dir.resolve("cut.model"), Arrays.copyOf(full, full.length / 2));
        assertThat(loadError(file)).startsWith("tokenizer file " + file + " is not a usable SentencePiece .model: ")
                .containsAnyOf("runs past the end", "truncated");
    }

    @Test
    void notAProtobuf() throws IOException {
        Path file = Files.writeString(dir.resolve("text.model"), "this is not a sentencepiece model\n");
        assertThat(loadError(file)).startsWith("tokenizer file " + file + " is not a usable SentencePiece .model: ");
    }

    @Test
    void normalizerWithCharsmapIsRefused() {
        Path file = Fixtures.path("nfkc.model");
        assertThat(loadError(file)).isEqualTo("tokenizer file " + file + " is not a usable SentencePiece .model: "
                + "normalizer_spec.name is \"nmt_nfkc\" with a 23-byte precompiled_charsmap; "
                + "only the identity normalizer (no charsmap) is supported");
    }

    @Test
    void unigramModelIsRefused() {
        Path file = Fixtures.path("unigram.model");
        assertThat(loadError(file)).endsWith("trainer_spec.model_type is UNIGRAM, only BPE is supported");
    }

    @Test
    void malformedJson() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", ");
        assertThat(loadError(file)).startsWith("tokenizer file " + file + " is not a usable Hugging Face tokenizer.json: ");
    }

    @Test
    void unsupportedJsonParts() throws IOException {
        Path wordPiece = Files.writeString(dir.resolve("wp.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
        assertThat(loadError(wordPiece)).endsWith("model.type is \"WordPiece\", expected \"BPE\"");
        Path nfkc = Files.writeString(dir.resolve("nfkc.json"), "{\"normalizer\": {\"type\": \"NFKC\"},"
                + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a b\"]}}");
        assertThat(loadError(nfkc)).endsWith("normalizer.type NFKC is not supported");
        Path badMerge = Files.writeString(dir.resolve("merge.json"),
                "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [[\"a\", \"b\"]]}}");
        assertThat(loadError(badMerge)).endsWith("model.merges[0] (a + b) uses a piece missing from model.vocab");
    }

    @Test
    void idsOutsideTheVocabulary() {
        Tokenizer tok = Tokenizer.load(Fixtures.path("tiny.model"));
        int n = tok.vocabSize();
        assertThatThrownBy(() -> tok.decode(new int[] {5, n})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id " + n + " is outside the vocabulary [0, " + n + ")");
        assertThatThrownBy(() -> tok.piece(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("token id -1 is outside the vocabulary [0, " + n + ") of ");
        // ids after the first <eos> are never looked at (big_vision cuts there)
        assertThat(tok.decode(new int[] {tok.eosId(), n + 100})).isEmpty();
    }
}
