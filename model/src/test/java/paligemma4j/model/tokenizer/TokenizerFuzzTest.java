package paligemma4j.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzz targets for the tokenizer readers: any bytes either load a tokenizer that encodes and decodes a
 * probe string, or fail with a one-line {@link TokenizerException} naming the file. Seeds: small
 * SentencePiece models and tokenizer.json files under
 * {@code src/test/resources/paligemma4j/model/tokenizer/TokenizerFuzzTestInputs/}.
 */
class TokenizerFuzzTest {
    private static final Path MODEL = Path.of("fuzzed.model");
    private static final Path JSON = Path.of("fuzzed-dir", "tokenizer.json");

    @FuzzTest(maxDuration = "10m")
    void sentencePiece(byte[] bytes) {
        load(MODEL, bytes);
    }

    @FuzzTest(maxDuration = "10m")
    void tokenizerJson(byte[] bytes) {
        load(JSON, bytes);
    }

    /** The seeds are valid files, so the fuzzer starts from inputs that reach the encoder. */
    @org.junit.jupiter.api.Test
    void seedsLoadAndEncode() throws java.io.IOException {
        String dir = "/paligemma4j/model/tokenizer/TokenizerFuzzTestInputs/";
        for (String[] seed : new String[][] {{"sentencePiece/small-bpe", "fuzzed.model"}, {"tokenizerJson/small", "tokenizer.json"}}) {
            try (var in = TokenizerFuzzTest.class.getResourceAsStream(dir + seed[0])) {
                Tokenizer t = Tokenizer.parse(Path.of(seed[1]), in.readAllBytes());
                assertThat(t.decode(t.encode("a cat"))).isEqualTo("a cat");
                assertThat(t.bosId()).isEqualTo(2);
            }
        }
    }

    /** Found by fuzzing: a word whose characters are all dropped (no piece, no unk, no byte fallback) gives no ids. */
    @org.junit.jupiter.api.Test
    void aWordWhoseCharactersAreAllDroppedEncodesToNothing() {
        String json = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": []}}";
        Tokenizer t = Tokenizer.parse(JSON, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(t.encode("xyz")).isEmpty();
        assertThat(t.encode("a xyz b")).containsExactly(0, 1);
    }

    private static void load(Path name, byte[] bytes) {
        Tokenizer t;
        try {
            t = Tokenizer.parse(name, bytes);
        } catch (TokenizerException e) {
            assertThat(e.getMessage()).contains("tokenizer file " + name).doesNotContain("\n");
            return;
        }
        int[] ids = t.encode("caption en: a cat\n<loc0001> ünï ☃");
        for (int id : ids) assertThat(id).isBetween(0, t.vocabSize() - 1);
        t.decode(ids);
    }
}
