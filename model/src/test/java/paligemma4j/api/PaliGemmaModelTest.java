package paligemma4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.StageObserver;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.tokenizer.Tokenizer;

/** The API on the tiny checkpoint: the same tokens as the model classes, streaming, batches, threads, errors. */
class PaliGemmaModelTest {
    static final Path RES = Path.of("src", "test", "resources");
    static final Path NPZ = RES.resolve("tiny/tiny-224.npz"), TOK = RES.resolve("tokenizer/tiny.model");
    static final Path IMG = RES.resolve("image/inputs/jpeg420_q85_prog_opt_150x230.jpg");
    static PaliGemmaModel model;

    @BeforeAll
    static void load() {
        model = PaliGemmaModel.load(NPZ, LoadOptions.defaults().withTokenizer(TOK).withThreads(2));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyTokensEqualTheModelClasses() {
        Answer a = model.generate(new Request(IMG, "caption en"), GenerateOptions.defaults().withMaxTokens(8), null);
        Tokenizer tok = Tokenizer.load(TOK);
        int[] expected;
        try (JvmOps ops = new JvmOps(2); PaliGemma m = PaliGemma.load(NPZ, ops)) {
            float[] px = ImagePreprocessor.preprocess(IMG, 224, Resize.BILINEAR);
            var prefix = m.prefill(m.encodeImage(px, StageObserver.NONE), tok.prefixTokens("caption en"), 8,
                    KVCache.Precision.BF16, StageObserver.NONE);
            expected = m.decode(prefix, 1, 8, tok.eosId());
        }
        assertThat(a.tokens()).containsExactly(expected);
        assertThat(a.text()).isEqualTo(tok.decode(expected));
        assertThat(a.timings().visionMs()).isPositive();
    }

    @Test
    void streamsEachTokenInOrder() {
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Answer a = model.generate(new Request(IMG, "answer en what?"), GenerateOptions.defaults().withMaxTokens(6),
                (i, id, piece) -> {
                    assertThat(i).isEqualTo(ids.size());
                    ids.add(id);
                    text.append(piece);
                });
        assertThat(ids).containsExactly(java.util.Arrays.stream(a.tokens()).boxed().toArray(Integer[]::new));
        assertThat(text.toString().strip()).isEqualTo(a.text().strip());
    }

    @Test
    void batchAndThreadsGiveTheSingleAnswers() throws Exception {
        GenerateOptions o = GenerateOptions.defaults().withMaxTokens(5);
        List<Request> rs = List.of(new Request(IMG, "caption en"), new Request(IMG, "detect cat"));
        List<Answer> batch = model.generateAll(rs, o);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Answer>> fs = new ArrayList<>();
            for (Request r : rs) fs.add(pool.submit(() -> model.generate(r, o, null)));
            for (int i = 0; i < rs.size(); i++) assertThat(fs.get(i).get().tokens()).containsExactly(batch.get(i).tokens());
        } finally {
            pool.shutdown();
        }
        assertThat(model.generate(rs.get(1), o.withBeams(2), null).tokens().length).isLessThanOrEqualTo(5);
    }

    @Test
    void badInputIsOurExceptionWithOneLine() {
        assertThatThrownBy(() -> model.generate(new Request(Path.of("no/such.jpg"), "caption en")))
                .isExactlyInstanceOf(PaliGemmaException.class).hasMessage("image no/such.jpg: no such file");
        assertThatThrownBy(() -> PaliGemmaModel.load(RES.resolve("tiny/tiny-224.npz")))
                .isExactlyInstanceOf(PaliGemmaException.class)
                .hasMessageStartingWith("no tokenizer given and none of paligemma_tokenizer.model, tokenizer.model, tokenizer.json beside");
        assertThatThrownBy(() -> PaliGemmaModel.load(RES.resolve("tokenizer/tiny.model"), LoadOptions.defaults().withTokenizer(TOK)))
                .isExactlyInstanceOf(PaliGemmaException.class).hasMessageNotContaining("\n");
        assertThatThrownBy(() -> GenerateOptions.defaults().withMaxTokens(0))
                .isExactlyInstanceOf(PaliGemmaException.class).hasMessage("maxTokens must be at least 1, got 0");
    }
}
