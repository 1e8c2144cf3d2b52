package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web page at {@code /} in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}):
 * upload an image, type a prompt, see the streamed answer and the box drawn on the canvas. Runs when both
 * are installed ({@code PALIGEMMA_REQUIRE_CHROMIUM=1} turns their absence into a failure). The screenshot
 * is kept as {@code eval/target/web-page-test.png}.
 */
@EnabledIf(value = "chromiumInstalled", disabledReason = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)")
class WebPageTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    static final String IMG = GenerateCommandTest.RES.resolve("image/inputs/checker3_100x100.png").toString();

    static boolean chromiumInstalled() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "1".equals(System.getenv("PALIGEMMA_REQUIRE_CHROMIUM"))) return true;   // fail, not skip
        return present;
    }

    static <T> T waitFor(java.util.function.Supplier<T> value, long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        T v;
        while ((v = value.get()) == null && System.currentTimeMillis() < until) Thread.sleep(100);
        return v;
    }

    @Test
    void uploadPromptAnswerAndDrawnBox() throws Exception {
        // On the tiny checkpoint's random weights, this prompt, temperature and seed give
        // " a<loc0529><loc0256><loc0841><loc0830> a很<loc0884>": one box, rows 51…81, columns 25…80 of 100×100.
        JsonCheck expected = JsonCheck.generate(IMG, "detect cat", "100", "106");
        assertThat(expected.boxes()).containsExactly(List.of(51, 25, 82, 81));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        try (ServeFixture f = new ServeFixture(2, 8)) {
            WebDriver d = new ChromeDriver(service, options);
            try {
                d.get(f.uri("/").toString());
                assertThat(d.getTitle()).isEqualTo("PaliGemma");
                d.findElement(By.id("file")).sendKeys(Path.of(IMG).toRealPath().toString());
                assertThat(waitFor(() -> d.findElement(By.id("run")).isEnabled() ? true : null, 10_000)).isTrue();
                var prompt = d.findElement(By.id("prompt"));
                prompt.clear();
                prompt.sendKeys("detect cat");
                setValue(d, "max-tokens", "8");
                setValue(d, "temperature", "100");
                setValue(d, "seed", "106");
                d.findElement(By.id("run")).click();
                String state = waitFor(() -> {
                    String s = d.findElement(By.tagName("body")).getDomAttribute("data-state");
                    return "done".equals(s) || "error".equals(s) ? s : null;
                }, 60_000);
                String status = d.findElement(By.id("status")).getText();
                Files.write(Path.of("target", "web-page-test.png"),
                        ((org.openqa.selenium.TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
                assertThat(state).as(status).isEqualTo("done");
                assertThat(d.findElement(By.id("answer")).getText()).isEqualTo(expected.text());
                assertThat(d.findElement(By.id("canvas")).getDomAttribute("data-objects")).isEqualTo("1");
                assertThat(d.findElements(By.cssSelector("#objects li"))).singleElement()
                        .extracting(e -> e.getText()).asString().contains("[51, 25, 82, 81]");
                // the box's left edge (column 25, 2 px wide) is drawn in the first palette colour, #1f77b4
                @SuppressWarnings("unchecked")
                List<Long> px = (List<Long>) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                        "return Array.from(document.getElementById('canvas').getContext('2d').getImageData(25, 66, 1, 1).data);");
                assertThat(px.get(0)).isBetween(31L - 12, 31L + 12);
                assertThat(px.get(1)).isBetween(119L - 12, 119L + 12);
                assertThat(px.get(2)).isBetween(180L - 12, 180L + 12);
            } finally {
                d.quit();
            }
        }
    }

    static void setValue(WebDriver d, String id, String value) {
        var e = d.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    /** What {@code generate} answers, for comparison with the page. */
    record JsonCheck(String text, List<List<Integer>> boxes) {
        static JsonCheck generate(String image, String prompt, String temperature, String seed) throws Exception {
            var r = GenerateCommandTest.run("generate", "--checkpoint", GenerateCommandTest.CKPT, "--tokenizer",
                    GenerateCommandTest.TOK, "--image", image, "--prompt", prompt, "--max-tokens", "8", "--json",
                    "--temperature", temperature, "--seed", seed);
            assertThat(r.code()).as(r.err()).isZero();
            var j = ServeFixture.JSON.readTree(r.out());
            List<List<Integer>> boxes = new java.util.ArrayList<>();
            for (var o : j.get("objects")) {
                List<Integer> b = new java.util.ArrayList<>();
                o.get("box").forEach(v -> b.add(v.asInt()));
                boxes.add(b);
            }
            return new JsonCheck(j.get("text").asText(), boxes);
        }
    }
}
