package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Id-for-id and decode equality with Google's {@code sentencepiece} (golden data from
 * scripts/tokenizer/make_tokenizer_fixtures.py) for small BPE models trained with Gemma's settings
 * ({@code tiny}: 10,500 strings; {@code wide}, with UNUSED pieces and pieces across whitespace: 5,000) and two
 * non-Gemma normalizer settings ({@code prefix}, {@code suffix}: 1,500 each), all extended with PaliGemma's
 * 1,024 loc and 128 seg pieces the way big_vision does.
 */
class SentencePieceGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "wide", "prefix", "suffix"})
    void encodesAndDecodesLikeSentencepiece(String model) throws IOException {
        Tokenizer tok = Tokenizer.load(Fixtures.path(model + ".model"));
        List<String> strings = Fixtures.strings();
        List<JsonNode> expected = Fixtures.jsonLines(model + ".expected.jsonl.gz");
        List<String> idFailures = new ArrayList<>();
        List<String> decodeFailures = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            String s = strings.get(i);
            JsonNode row = expected.get(i);
            int[] want = Fixtures.ints(row.get(0));
            String wantText = row.size() > 1 ? row.get(1).asText() : s;
            int[] got = tok.encode(s);
            if (!Arrays.equals(got, want)) {
                idFailures.add("#" + i + " " + Fixtures.show(s) + ": expected " + Arrays.toString(want) + " got " + Arrays.toString(got));
            }
            String gotText = tok.decode(want);
            if (!gotText.equals(wantText)) {
                decodeFailures.add("#" + i + " " + Arrays.toString(want) + ": expected " + Fixtures.show(wantText) + " got " + Fixtures.show(gotText));
            }
        }
        int minStrings = switch (model) {
            case "tiny" -> 10_000;
            case "wide" -> 5_000;
            default -> 1_500;
        };
        assertThat(expected.size()).isGreaterThanOrEqualTo(minStrings);
        assertThat(idFailures).as("strings encoded differently from sentencepiece (of %d)", expected.size()).isEmpty();
        assertThat(decodeFailures).as("decodes different from sentencepiece (of %d)", expected.size()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "wide", "prefix", "suffix"})
    void decodesRandomIdsLikeBigVisionToStr(String model) throws IOException {
        Tokenizer tok = Tokenizer.load(Fixtures.path(model + ".model"));
        List<String> failures = new ArrayList<>();
        List<JsonNode> cases = Fixtures.jsonLines(model + ".decode.jsonl.gz");
        for (JsonNode c : cases) {
            int[] ids = Fixtures.ints(c.get(0));
            String want = c.get(1).asText();
            String got = tok.decode(ids);
            if (!got.equals(want)) {
                failures.add(Arrays.toString(ids) + ": expected " + Fixtures.show(want) + " got " + Fixtures.show(got));
            }
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(500);
        assertThat(failures).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "wide", "prefix", "suffix"})
    void specialIdsAndPaliGemmaPiecesComeFromTheFile(String model) throws IOException {
        Tokenizer tok = Tokenizer.load(Fixtures.path(model + ".model"));
        JsonNode meta = Fixtures.json(model + ".meta.json");
        assertThat(tok.vocabSize()).isEqualTo(meta.get("vocab_size").asInt());
        assertThat(tok.padId()).isEqualTo(meta.get("pad_id").asInt());
        assertThat(tok.eosId()).isEqualTo(meta.get("eos_id").asInt());
        assertThat(tok.bosId()).isEqualTo(meta.get("bos_id").asInt());
        assertThat(tok.unkId()).isEqualTo(meta.get("unk_id").asInt());
        for (String p : new String[] {"loc0000", "loc1023", "seg000", "seg127"}) {
            assertThat(tok.idOf("<" + p + ">")).as(p).isEqualTo(meta.get(p).asInt());
            assertThat(tok.piece(meta.get(p).asInt())).isEqualTo("<" + p + ">");
            assertThat(tok.pieceType(meta.get(p).asInt())).isEqualTo(PieceType.USER_DEFINED);
        }
        assertThat(tok.encode("\n")).containsExactly(Fixtures.ints(meta.get("newline_ids")));
        assertThat(tok.prefixTokens("caption en")).containsExactly(Fixtures.ints(meta.get("prefix_caption_en")));
    }
}
