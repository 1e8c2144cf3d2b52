package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.eval.Fixtures;

/** Test helper: the parts of a predictions file that must not depend on interruptions (not timings). */
public final class RunFiles {
    private RunFiles() {}

    /** One string per line: id, answer and generated ids. */
    public static List<String> idsAnswersAndTokens(Path predictions) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(predictions, StandardCharsets.UTF_8)) {
            JsonNode n = Fixtures.JSON.readTree(line);
            out.add(n.get("id").asLong() + "\t" + n.get("answer").asText() + "\t" + n.get("ids") + "\t" + n.get("tokens"));
        }
        return out;
    }
}
