package paligemma4j.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PaliGemma-facing behaviour of {@link Tokenizer} (docs/model.md#tokenizer) on the tiny demo tokenizer; the
 * numbers are sentencepiece's (tiny.meta.json / tiny.expected.jsonl.gz from
 * scripts/tokenizer/make_tokenizer_fixtures.py).
 */
class TokenizerApiTest {
    private final Tokenizer tok = Tokenizer.load(Fixtures.path("tiny.model"));

    @Test
    void tinyVocabularyLayout() {
        // 1,024 trained pieces (pad, eos, bos, unk, one control, 4 user-defined, 256 bytes, merges)
        // + 1,024 loc + 128 seg user-defined pieces appended in sorted order as big_vision does.
        assertThat(tok.vocabSize()).isEqualTo(2176);
        assertThat(new int[] {tok.padId(), tok.eosId(), tok.bosId(), tok.unkId()}).containsExactly(0, 1, 2, 3);
        assertThat(tok.piece(0)).isEqualTo("<pad>");
        assertThat(tok.piece(1)).isEqualTo("<eos>");
        assertThat(tok.piece(2)).isEqualTo("<bos>");
        assertThat(tok.piece(3)).isEqualTo("<unk>");
        assertThat(IntStream.range(0, 1024).map(k -> tok.idOf(String.format("<loc%04d>", k))).toArray())
                .containsExactly(IntStream.range(1024, 2048).toArray());
        assertThat(IntStream.range(0, 128).map(k -> tok.idOf(String.format("<seg%03d>", k))).toArray())
                .containsExactly(IntStream.range(2048, 2176).toArray());
        assertThat(tok.idOf("<loc1024>")).isEqualTo(-1);
        assertThat(tok.pieceType(tok.idOf("<0x0A>"))).isEqualTo(PieceType.BYTE);
    }

    @Test
    void locAndSegPiecesAreWholeTokensInsideText() {
        int[] ids = tok.encode("x<loc0123>y");
        assertThat(ids).contains(tok.idOf("<loc0123>"));
        assertThat(tok.decode(ids)).isEqualTo("x<loc0123>y");
        int[] det = tok.encode("<loc0001><loc0002><loc0003><loc0004> cat");
        assertThat(Arrays.copyOf(det, 4)).containsExactly(1025, 1026, 1027, 1028);
    }

    @Test
    void prefixIsBosPromptAndSeparatelyTokenizedNewline() {
        // [<bos>] + encode(prompt) + encode("\n"): the newline is a byte piece in this vocabulary
        int newline = tok.idOf("<0x0A>");
        assertThat(tok.encode("\n")).containsExactly(newline);
        String prompt = "caption en ";
        int[] prefix = tok.prefixTokens(prompt);
        int[] body = tok.encode(prompt);
        assertThat(prefix[0]).isEqualTo(tok.bosId());
        assertThat(Arrays.copyOfRange(prefix, 1, 1 + body.length)).containsExactly(body);
        assertThat(prefix[prefix.length - 1]).isEqualTo(newline);
        assertThat(prefix).hasSize(body.length + 2);
        assertThat(tok.prefixTokens("")).containsExactly(tok.bosId(), newline);
    }

    @Test
    void decodeCutsAtFirstEosAndDropsControlTokens() {
        int[] cat = tok.encode("a cat");
        int[] ids = IntStream.concat(IntStream.concat(IntStream.of(tok.bosId()), Arrays.stream(cat)),
                IntStream.of(tok.padId(), tok.eosId(), tok.idOf("<loc0001>"))).toArray();
        assertThat(tok.decode(ids)).isEqualTo("a cat");
        assertThat(tok.decode(new int[] {tok.idOf("<loc0001>"), tok.idOf("<seg127>")})).isEqualTo("<loc0001><seg127>");
        assertThat(tok.decode(new int[0])).isEmpty();
        assertThat(tok.encode("")).isEmpty();
    }

    @Test
    void bytePiecesReassembleUtf8() {
        // U+1F9A9 is not in the tiny vocabulary: four byte pieces that decode back to the emoji
        int[] ids = tok.encode("\uD83E\uDDA9");
        assertThat(ids).containsExactly(tok.idOf("<0xF0>"), tok.idOf("<0x9F>"), tok.idOf("<0xA6>"), tok.idOf("<0xA9>"));
        assertThat(tok.decode(ids)).isEqualTo("\uD83E\uDDA9");
        // a lone byte is not valid UTF-8: U+FFFD, as sentencepiece
        assertThat(tok.decode(new int[] {tok.idOf("<0xF0>"), tok.idOf("a")})).isEqualTo("\uFFFDa");
    }
}
