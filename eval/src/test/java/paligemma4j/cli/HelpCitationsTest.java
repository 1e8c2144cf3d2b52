package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every help text and the README cite only files inside the repository, and every one they cite exists. */
class HelpCitationsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PATH = Pattern.compile("(?<![\\w/.])((?:docs|scripts|model|eval|kernels|checkpoint-loader|jmh)/[\\w./-]+\\w)");

    private static void citesOnlyRepositoryFiles(String what, String text) {
        assertThat(text).as(what).doesNotContain("../", "§", "/work/");   // nothing outside the repository, no other documents' sections
        Matcher m = PATH.matcher(text);
        int n = 0;
        while (m.find()) {
            String cited = m.group(1).replaceAll("#.*", "");
            if (cited.contains("*") || cited.contains("/target")) continue;   // build outputs
            assertThat(ROOT.resolve(cited)).as(what + " cites " + cited).exists();
            n++;
        }
        assertThat(n).as(what).isPositive();
    }

    @Test
    void everyCommandsHelp() {
        StringBuilder all = new StringBuilder();
        for (Command c : Main.commands()) all.append(c.spec().help(c.name()));
        citesOnlyRepositoryFiles("help", all.toString());
    }

    @Test
    void theReadme() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        citesOnlyRepositoryFiles("README.md", readme);
    }
}
