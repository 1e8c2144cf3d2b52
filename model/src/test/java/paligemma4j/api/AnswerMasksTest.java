package paligemma4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paligemma4j.model.output.BoxConvention;
import paligemma4j.model.output.ObjectMask;
import paligemma4j.model.output.ParsedAnswer;
import paligemma4j.model.output.VqVaeDecoder;

/**
 * The API's masks: a segmentation answer's codes decoded with the VQ-VAE fixture (the small vae-oid.npz of the eval
 * tests) exactly as the CLI's {@code --out} decodes them, inside the box only; an object without codes has none; no
 * decoder gives a warning instead; the decoder file is found beside the checkpoint or named, and a missing one is one
 * line.
 */
class AnswerMasksTest {
    static final Path VAE = Path.of("..", "eval", "src", "test", "resources", "eval", "refcoco", "vae-oid.npz");
    static final String SEG = "<seg010><seg020><seg030><seg040><seg050><seg060><seg070><seg080>"
            + "<seg090><seg100><seg110><seg120><seg001><seg002><seg003><seg004>";
    static final String ANSWER = "<loc0256><loc0256><loc0768><loc0768>" + SEG + " a ; <loc0000><loc0000><loc0512><loc0512> b";

    @Test
    void segmentAnswersBecomeMasksOnTheImage() {
        VqVaeDecoder vae = VqVaeDecoder.load(VAE);
        ParsedAnswer parsed = ParsedAnswer.parse("segment a ; b", ANSWER, 64, 80, BoxConvention.BIG_VISION);
        AnswerMasks masks = AnswerMasks.of(parsed.objects(), 80, 64, vae);
        assertThat(masks.warnings()).isEmpty();
        assertThat(masks.masks()).hasSize(2);
        Mask m = masks.masks().get(0);
        assertThat(m.width()).isEqualTo(80);
        assertThat(m.height()).isEqualTo(64);
        var box = parsed.objects().get(0).box();
        assertThat(m.pixels()).containsExactly(ObjectMask.decode(vae, parsed.objects().get(0).seg(), box, 64, 80));
        assertThat(m.area()).isBetween(1, box.width() * (box.y1() - box.y0()) - 1);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 80; x++) {
                boolean inBox = y >= box.y0() && y < box.y1() && x >= box.x0() && x < box.x1();
                if (!inBox) assertThat(m.get(x, y)).as("pixel (%d, %d) outside the box", x, y).isFalse();
            }
        }
        assertThat(masks.masks().get(1)).as("a detection has no mask").isNull();
    }

    @Test
    void withoutADecoderTheAnswerSaysWhy() {
        ParsedAnswer parsed = ParsedAnswer.parse("segment a", ANSWER, 64, 80, BoxConvention.BIG_VISION);
        AnswerMasks masks = AnswerMasks.of(parsed.objects(), 80, 64, null);
        assertThat(masks.masks()).containsExactly(null, null);
        assertThat(masks.warnings()).containsExactly(AnswerMasks.NO_DECODER);
    }

    @Test
    void theDecoderIsFoundBesideTheCheckpointOrNamed(@TempDir Path dir) throws Exception {
        Path hf = Path.of("src", "test", "resources", "hf", "tiny-224-hub");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.model")) Files.copy(hf.resolve(f), dir.resolve(f));
        assertThat(PaliGemmaModel.vaeNear(dir)).isNull();
        Files.copy(VAE, dir.resolve("vae-oid.npz"));
        assertThat(PaliGemmaModel.vaeNear(dir)).isEqualTo(dir.resolve("vae-oid.npz"));
        Path image = Path.of("src", "test", "resources", "image", "inputs", "jpeg420_q85_prog_opt_150x230.jpg");
        try (PaliGemmaModel model = PaliGemmaModel.load(dir)) {
            Answer a = model.generate(new Request(image, "segment cat"), GenerateOptions.defaults().withMaxTokens(4), null);
            assertThat(a.masks()).hasSameSizeAs(a.objects());
        }
        Path missing = dir.resolve("none.npz");
        assertThatThrownBy(() -> PaliGemmaModel.load(hf, LoadOptions.defaults().withVae(missing)))
                .isExactlyInstanceOf(PaliGemmaException.class).hasMessage("VQ-VAE " + missing + ": no such file");
    }
}
