package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.EvalException;

/**
 * {@code RUN_DIR/report.json} and {@code report.md}: our number beside the published ones with the
 * difference, and the protocol that produced it. Which published row applies depends on the
 * checkpoint, which a file cannot tell reliably: the report lists every published row of the
 * benchmark and split at the checkpoint's image resolution (read from the checkpoint), and
 * {@code --published-row} (e.g. {@code mix-224}) picks the headline comparison.
 */
public final class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunReport() {}

    /**
     * Builds the report object.
     *
     * @param metrics      {@link RunScoring#score}'s result
     * @param resolution   the checkpoint's image resolution
     * @param selected     the {@code --published-row} row, or null
     * @param scoring      scoring options as strings (POPE parser, MMVP matcher, VQ-VAE file)
     * @param session      this session's counts and seconds
     */
    public static ObjectNode build(RunConfig c, Map<String, Object> metrics, int resolution, int splitSize,
                                   PublishedNumbers.Row selected, ObjectNode scoring, ObjectNode session) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        Benchmark b = c.benchmark();
        String metric = PublishedNumbers.headlineMetric(b);
        double value = ((Number) metrics.get(metric)).doubleValue();
        boolean partial = Boolean.TRUE.equals(metrics.get("partial"));
        r.put("benchmark", b.cliName);
        r.put("split", c.split());
        r.put("dataset", c.dataset());
        r.put("metric", metric);
        r.put("value", value);
        r.put("partial", partial);
        r.put("comparable", !partial);
        double tol = PublishedNumbers.tolerance(b);
        if (selected == null) {
            r.putNull("published");
        } else {
            ObjectNode p = r.putObject("published");
            row(p, selected, value);
            p.put("tolerance", tol);
            p.put("within_tolerance", !partial && Math.abs(value - selected.value()) <= tol + 1e-9);
        }
        ArrayNode rows = r.putArray("published_rows");
        for (PublishedNumbers.Row row : PublishedNumbers.rows(b, c.split(), c.dataset())) {
            if (row.resolution() == resolution) row(rows.addObject(), row, value);
        }
        ArrayNode none = r.putArray("not_published");
        for (PublishedNumbers.Source g : PublishedNumbers.notPublished(b, c.split(), c.dataset(), resolution)) {
            ObjectNode o = none.addObject();
            o.put("model", g.model());
            o.put("source", g.url());
            o.put("table", g.table());
        }
        r.set("metrics", JSON.valueToTree(metrics));
        ObjectNode p = r.putObject("protocol");
        p.put("prompt_template", c.protocol().promptTemplate());
        p.put("text_len", c.protocol().textLen());
        p.put("decoding", c.protocol().decoding());
        p.put("max_tokens", c.protocol().maxTokens());
        p.put("resize", c.protocol().resizeName() + (c.protocol().resizeName().equals("bilinear")
                ? " (TF ResizeBilinear, half-pixel centres, no antialias)" : " (TF ScaleAndTranslate, triangle filter)"));
        p.put("kv_cache", c.protocol().kvCacheName());
        p.put("resolution", resolution);
        p.put("split", c.split());
        p.put("dataset", c.dataset());
        p.put("n", ((Number) metrics.get("n")).intValue());
        p.put("split_size", splitSize);
        if (c.limit() > 0) p.put("limit", c.limit()); else p.putNull("limit");
        p.put("checkpoint", c.checkpoint().toString());
        p.put("tokenizer", c.tokenizer().toString());
        p.put("data", c.data().toString());
        p.set("scoring", scoring);
        r.set("session", session);
        return r;
    }

    private static void row(ObjectNode o, PublishedNumbers.Row row, double value) {
        o.put("row", row.name());
        o.put("checkpoint", row.checkpoint());
        o.put("value", row.value());
        o.put("difference", value - row.value());
        o.put("model", row.source().model());
        o.put("source", row.source().url());
        o.put("table", row.source().table());
    }

    /** Writes {@code report.json} and {@code report.md} into {@code runDir}. */
    public static void write(Path runDir, ObjectNode report) {
        Path json = runDir.resolve("report.json"), md = runDir.resolve("report.md");
        try {
            Files.writeString(json, JSON.writeValueAsString(report) + "\n", StandardCharsets.UTF_8);
            Files.writeString(md, markdown(report), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException(runDir + ": cannot write the report: " + e.getMessage(), e);
        }
    }

    /** The report as Markdown. */
    public static String markdown(JsonNode r) {
        StringBuilder s = new StringBuilder();
        String title = r.get("benchmark").asText()
                + (r.get("dataset").isNull() ? "" : " " + r.get("dataset").asText())
                + (r.get("split").isNull() ? "" : " " + r.get("split").asText());
        String metric = r.get("metric").asText();
        double value = r.get("value").asDouble();
        JsonNode proto = r.get("protocol");
        s.append("# paligemma4j eval: ").append(title).append("\n\n");
        s.append("**").append(metric).append(" = ").append(fmt(value)).append("**");
        s.append(" on ").append(proto.get("n").asInt()).append(" examples");
        if (r.get("partial").asBoolean()) {
            s.append(" (partial run: the first ").append(proto.get("n").asInt()).append(" of ")
                    .append(proto.get("split_size").asInt()).append(" examples; not comparable to the published number)");
        }
        s.append(".\n\n");
        JsonNode warning = r.get("metrics").get("warning");
        if (warning != null) s.append("**Warning:** ").append(warning.asText()).append(".\n\n");
        JsonNode sel = r.get("published");
        if (sel != null && !sel.isNull()) {
            s.append("Published (").append(sel.get("checkpoint").asText()).append("): ").append(fmt2(sel.get("value").asDouble()))
                    .append("; difference ").append(signed(sel.get("difference").asDouble()))
                    .append("; suggested tolerance ±").append(fmt2(sel.get("tolerance").asDouble()))
                    .append(" (docs/eval-protocols.md#tolerances): ").append(sel.get("within_tolerance").asBoolean() ? "within" : "outside")
                    .append(".\n\n");
        }
        s.append("## Published numbers at resolution ").append(proto.get("resolution").asInt()).append("\n\n");
        if (r.get("published_rows").isEmpty()) {
            s.append("None for this benchmark, split and resolution.\n\n");
        } else {
            s.append("Which row applies depends on the checkpoint you ran (`--published-row` picks one).\n\n");
            s.append("| checkpoint | published | ours | ours − published | source |\n|---|---:|---:|---:|---|\n");
            for (JsonNode row : r.get("published_rows")) {
                s.append("| ").append(row.get("checkpoint").asText()).append(" | ").append(fmt2(row.get("value").asDouble()))
                        .append(" | ").append(fmt(value)).append(" | ").append(signed(row.get("difference").asDouble()))
                        .append(" | ").append(source(row)).append(" |\n");
            }
            s.append('\n');
        }
        JsonNode none = r.get("not_published");
        if (none != null) {
            for (JsonNode g : none) s.append(g.get("model").asText()).append(": not published (").append(source(g)).append(").\n");
            if (!none.isEmpty()) s.append('\n');
        }
        s.append("## Protocol\n\n| setting | value |\n|---|---|\n");
        table(s, proto, List.of("scoring"));
        for (Iterator<Map.Entry<String, JsonNode>> it = proto.get("scoring").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            s.append("| scoring: ").append(e.getKey()).append(" | ").append(cell(e.getValue())).append(" |\n");
        }
        s.append("\n## All metrics\n\n| metric | value |\n|---|---|\n");
        table(s, r.get("metrics"), List.of());
        JsonNode shards = r.get("shards");
        s.append(shards == null ? "\n## This session\n\n| | |\n|---|---|\n" : "\n## All shards\n\n| | |\n|---|---|\n");
        table(s, r.get("session"), List.of());
        if (shards != null) {
            s.append("\n## Shards\n\n| shard | examples | wall s | examples/s | images encoded | sessions | host | Slurm job |\n"
                    + "|---|---:|---:|---:|---:|---:|---|---|\n");
            for (JsonNode sh : shards) {
                s.append("| ").append(sh.path("shard").asText()).append(" | ").append(sh.path("examples").asInt())
                        .append(" | ").append(String.format(Locale.ROOT, "%.3f", sh.path("wall_seconds").asDouble()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.4f", sh.path("examples_per_second").asDouble()))
                        .append(" | ").append(sh.path("images_encoded").asInt()).append(" | ").append(sh.path("sessions").asInt())
                        .append(" | ").append(sh.path("host").asText("—")).append(" | ")
                        .append(sh.path("slurm_job").isTextual() ? sh.get("slurm_job").asText() : "—").append(" |\n");
            }
        }
        return s.toString();
    }

    private static String source(JsonNode row) {
        return "[" + row.get("table").asText() + "](" + row.get("source").asText() + ")";
    }

    private static void table(StringBuilder s, JsonNode o, List<String> skip) {
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!skip.contains(e.getKey())) s.append("| ").append(e.getKey()).append(" | ").append(cell(e.getValue())).append(" |\n");
        }
    }

    private static String cell(JsonNode v) {
        if (v.isNull()) return "—";
        if (v.isFloatingPointNumber()) return fmt(v.asDouble());
        String t = v.asText();
        return v.isTextual() ? "`" + t.replace("|", "\\|").replace("`", "'") + "`" : t;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.4f", v);
    }
}
