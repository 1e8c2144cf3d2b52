package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Hugging Face {@code tokenizer.json} path against Hugging Face {@code tokenizers} (golden data from
 * scripts/tokenizer/make_hf_fixtures.py): tiny.model converted to a Gemma-3-style tokenizer.json.
 * Expected ids are sentencepiece's (tiny.expected) except where {@code tokenizers} differs (tiny.hf.diff),
 * e.g. it matches special tokens such as {@code <bos>} written in the text.
 */
class HfTokenizerJsonTest {
    @TempDir
    static Path dir;

    /** tiny.tokenizer.json, unpacked from the committed .gz. */
    static Path tinyJson() throws IOException {
        Path file = dir.resolve("tiny.tokenizer.json");
        if (!Files.exists(file)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(Fixtures.path("tiny.tokenizer.json.gz")))) {
                Files.copy(in, file);
            }
        }
        return file;
    }

    @Test
    void encodesAndDecodesLikeHuggingFaceTokenizers() throws IOException {
        Tokenizer tok = Tokenizer.load(tinyJson());
        List<String> strings = Fixtures.strings();
        List<JsonNode> sp = Fixtures.jsonLines("tiny.expected.jsonl.gz");
        Map<Integer, JsonNode> hfDiff = new HashMap<>();
        for (JsonNode d : Fixtures.jsonLines("tiny.hf.diff.jsonl.gz")) {
            hfDiff.put(d.get(0).asInt(), d);
        }
        List<String> idFailures = new ArrayList<>();
        List<String> decodeFailures = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            JsonNode d = hfDiff.get(i);
            int[] want = Fixtures.ints(d != null ? d.get(1) : sp.get(i).get(0));
            String wantText = d != null ? d.get(2).asText() : sp.get(i).size() > 1 ? sp.get(i).get(1).asText() : s;
            int[] got = tok.encode(s);
            if (!Arrays.equals(got, want)) {
                idFailures.add("#" + i + " " + Fixtures.show(s) + ": expected " + Arrays.toString(want) + " got " + Arrays.toString(got));
            }
            String gotText = tok.decode(want);
            if (!gotText.equals(wantText)) {
                decodeFailures.add("#" + i + ": expected " + Fixtures.show(wantText) + " got " + Fixtures.show(gotText));
            }
        }
        assertThat(strings).hasSizeGreaterThanOrEqualTo(10_000);
        assertThat(hfDiff).isNotEmpty();
        assertThat(idFailures).as("strings encoded differently from tokenizers").isEmpty();
        assertThat(decodeFailures).as("decodes different from tokenizers").isEmpty();
    }

    @Test
    void decodesRandomIdsLikeHuggingFaceTokenizers() throws IOException {
        Tokenizer tok = Tokenizer.load(tinyJson());
        List<String> failures = new ArrayList<>();
        for (JsonNode c : Fixtures.jsonLines("tiny.hf.decode.jsonl.gz")) {
            int[] ids = Fixtures.ints(c.get(0));
            String got = tok.decode(ids);
            if (!got.equals(c.get(1).asText())) {
                failures.add(Arrays.toString(ids) + ": expected " + Fixtures.show(c.get(1).asText()) + " got " + Fixtures.show(got));
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void sameVocabularyAndSpecialIdsAsTheSentencePieceFile() throws IOException {
        Tokenizer hf = Tokenizer.load(tinyJson());
        Tokenizer sp = Tokenizer.load(Fixtures.path("tiny.model"));
        assertThat(hf.vocabSize()).isEqualTo(sp.vocabSize());
        assertThat(new int[] {hf.padId(), hf.eosId(), hf.bosId(), hf.unkId()})
                .containsExactly(sp.padId(), sp.eosId(), sp.bosId(), sp.unkId());
        for (int id = 0; id < sp.vocabSize(); id++) {
            assertThat(hf.piece(id)).isEqualTo(sp.piece(id));
        }
        assertThat(hf.idOf("<loc0123>")).isEqualTo(sp.idOf("<loc0123>"));
        assertThat(hf.prefixTokens("detect cat")).containsExactly(sp.prefixTokens("detect cat"));
    }
}
