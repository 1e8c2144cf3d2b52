package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paligemma render}: files written for detect and segment answers, unparsable answers, bad input. */
class RenderCommandTest {
    static final String IMG = GenerateCommandTest.RES.resolve("image/inputs/big_480x360.png").toString();
    static final String VAE = Path.of("src", "test", "resources", "eval", "refcoco", "vae-oid.npz").toString();

    @Test
    void detectAnswerWritesObjectsAndOverlay(@TempDir Path dir) throws Exception {
        var r = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "detect cat ; dog", "--answer",
                "<loc0100><loc0200><loc0500><loc0600> cat ; <loc0000><loc0512><loc1023><loc1023> dog", "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("cat [46, 70, 234, 211]\ndog [0, 180, 480, 360]\n".replace("\n", System.lineSeparator()));
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("objects.json").toFile());
        assertThat(doc.get("width").asInt()).isEqualTo(360);
        assertThat(doc.get("height").asInt()).isEqualTo(480);
        assertThat(doc.get("box_convention").asText()).isEqualTo("big_vision");
        assertThat(doc.get("objects").get(1).get("label").asText()).isEqualTo("dog");
        assertThat(doc.get("objects").get(1).get("box").toString()).isEqualTo("[0,180,480,360]");
        assertThat(doc.get("objects").get(0).has("mask")).isFalse();
        var overlay = ImageIO.read(dir.resolve("overlay.png").toFile());
        assertThat(overlay.getWidth()).isEqualTo(360);
        assertThat(overlay.getHeight()).isGreaterThan(480);   // the legend strip below the image
        var demo = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "detect cat", "--answer",
                "<loc0100><loc0200><loc0500><loc0600> cat", "--out", dir.resolve("demo").toString(), "--box-convention", "demo");
        assertThat(demo.out().strip()).isEqualTo("cat [47, 70, 234, 211]");
    }

    @Test
    void segmentAnswerWritesAMaskPerObject(@TempDir Path dir) throws Exception {
        String seg = "<seg010><seg020><seg030><seg040><seg050><seg060><seg070><seg080>"
                + "<seg090><seg100><seg110><seg120><seg005><seg015><seg025><seg035>";
        var r = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "segment cat", "--answer",
                "<loc0100><loc0200><loc0500><loc0600>" + seg + " cat", "--out", dir.toString(), "--vae", VAE, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        JsonNode o = doc.get("objects").get(0);
        assertThat(o.get("mask_file").asText()).isEqualTo("mask_0.png");
        assertThat(o.get("mask").get("size").toString()).isEqualTo("[480,360]");
        assertThat(o.get("seg")).hasSize(16);
        var mask = ImageIO.read(dir.resolve("mask_0.png").toFile());
        assertThat(mask.getWidth()).isEqualTo(360);
        assertThat(mask.getHeight()).isEqualTo(480);
        // the mask PNG and the RLE describe the same pixels
        boolean[] rle = paligemma4j.eval.refcoco.Rle.fromString(o.get("mask").get("counts").asText(), 480, 360).decode();
        int on = 0;
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 360; x++) {
                boolean png = (mask.getRGB(x, y) & 0xFF) == 255;
                assertThat(png).isEqualTo(rle[y * 360 + x]);
                if (png) on++;
            }
        }
        assertThat(on).isPositive();
        assertThat(new ObjectMapper().readTree(dir.resolve("objects.json").toFile())).isEqualTo(doc);
        // without --vae: the same box, no mask, a warning
        var noVae = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "segment cat", "--answer",
                "<loc0100><loc0200><loc0500><loc0600>" + seg + " cat", "--out", dir.resolve("b").toString());
        assertThat(noVae.code()).isZero();
        assertThat(noVae.err()).contains("warning: the answer has <seg> tokens but no --vae FILE");
        assertThat(Files.exists(dir.resolve("b/mask_0.png"))).isFalse();
    }

    @Test
    void unparsableAnswerIsKeptAsTextWithAWarning(@TempDir Path dir) throws Exception {
        var r = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "detect cat", "--answer", "a cat <loc0100>",
                "--out", dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("a cat <loc0100>");
        assertThat(r.err()).contains("warning: the answer has no complete <loc> box");
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("objects.json").toFile());
        assertThat(doc.get("text").asText()).isEqualTo("a cat <loc0100>");
        assertThat(doc.get("objects")).isEmpty();
        assertThat(doc.get("warnings")).hasSize(1);
        assertThat(Files.exists(dir.resolve("overlay.png"))).isTrue();
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) {
        var noOut = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "detect cat", "--answer", "x");
        assertThat(noOut.code()).isEqualTo(2);
        assertThat(noOut.err().strip()).isEqualTo("paligemma render: missing --out (see --help)");
        var noImage = GenerateCommandTest.run("render", "--image", "nope.png", "--prompt", "p", "--answer", "x",
                "--out", dir.toString());
        assertThat(noImage.code()).isEqualTo(2);
        assertThat(noImage.err().strip()).isEqualTo("paligemma render: --image: no such file: nope.png");
        var conv = GenerateCommandTest.run("render", "--image", IMG, "--prompt", "p", "--answer", "x", "--out",
                dir.toString(), "--box-convention", "1024");
        assertThat(conv.err().strip()).isEqualTo("paligemma render: --box-convention must be one of big_vision|demo, got '1024'");
        var help = GenerateCommandTest.run("render", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--answer TEXT", "--vae FILE", "--box-convention");
    }
}
