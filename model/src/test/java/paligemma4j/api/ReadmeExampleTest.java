package paligemma4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java API example, taken from the README as it is, compiles and runs on the tiny Hugging Face fixture. */
class ReadmeExampleTest {
    static final Path RES = Path.of("src", "test", "resources");

    static String readmeExample() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Java API");
        assertThat(section).as("README section '## Java API'").isNotNegative();
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find(section)).as("a ```java block in the Java API section").isTrue();
        return m.group(1);
    }

    @Test
    void readmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("Example.java");
        Files.writeString(src, readmeExample());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", src.toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        Path model = RES.resolve("hf/tiny-224-hub");
        Path image = RES.resolve("image/inputs/jpeg420_q85_prog_opt_150x230.jpg");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass("Example").getMethod("main", String[].class).invoke(null, (Object) new String[] {model.toString(), image.toString()});
        } finally {
            System.setOut(stdout);
        }
        Answer expected;
        try (PaliGemmaModel m = PaliGemmaModel.load(model)) {
            expected = m.generate(new Request(image, "detect cat"), GenerateOptions.defaults().withMaxTokens(20), null);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).isEqualTo(expected.text());
        assertThat(lines.get(1)).startsWith(expected.tokens().length + " tokens in ");
        assertThat(lines).hasSize(2 + expected.objects().size());
    }
}
