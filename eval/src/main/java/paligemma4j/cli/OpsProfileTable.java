package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import paligemma4j.kernels.ProfiledOps;

/**
 * {@code bench --profile}'s report: per stage, each operation and shape with its calls and time per
 * repetition (decode: per token), its share of the stage and its rate (GFLOP/s for the compute-bound
 * calls, GB/s of weights for the matrix-vector ones), slowest first.
 */
final class OpsProfileTable {

    private OpsProfileTable() {
    }

    /** The profile as a markdown or CSV table. */
    static String table(List<ProfiledOps.Entry> entries, int newTokens, String format) {
        StringBuilder sb = new StringBuilder();
        boolean csv = format.equals("csv");
        sb.append(csv ? "\nstage,op,shape,calls,ms,share,rate,unit\n"
                : "\nwhere the time goes (one more repetition through a timing wrapper; decode: per token)\n\n"
                  + "| stage | op | shape | calls | ms | share | rate |\n|---|---|---|---:|---:|---:|---:|\n");
        for (Row r : rows(entries, newTokens)) {
            String rate = Double.isNaN(r.rate) ? "" : String.format(Locale.ROOT, "%.1f", r.rate);
            if (csv) {
                sb.append(String.format(Locale.ROOT, "%s,%s,\"%s\",%.1f,%.3f,%.4f,%s,%s%n", r.stage, r.op, r.shape,
                        r.calls, r.ms, r.share, rate, r.unit));
            } else {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.1f %% | %s |%n", r.stage, r.op,
                        r.shape, r.calls == Math.rint(r.calls) ? String.valueOf((long) r.calls) : String.format(Locale.ROOT, "%.1f", r.calls),
                        r.ms, 100 * r.share, rate.isEmpty() ? "" : rate + " " + r.unit));
            }
        }
        return sb.toString();
    }

    /** The profile as a JSON array of {stage, op, shape, calls, ms, share, rate, unit}. */
    static ArrayNode json(List<ProfiledOps.Entry> entries, int newTokens, ObjectMapper mapper) {
        ArrayNode a = mapper.createArrayNode();
        for (Row r : rows(entries, newTokens)) {
            ObjectNode o = a.addObject();
            o.put("stage", r.stage);
            o.put("op", r.op);
            o.put("shape", r.shape);
            o.put("calls", r.calls);
            o.put("ms", r.ms);
            o.put("share", r.share);
            if (!Double.isNaN(r.rate)) {
                o.put("rate", r.rate);
                o.put("unit", r.unit);
            }
        }
        return a;
    }

    private record Row(String stage, String op, String shape, double calls, double ms, double share, double rate,
                       String unit) {
    }

    /** Per stage (in order of appearance), slowest first; decode divided by the tokens. */
    private static List<Row> rows(List<ProfiledOps.Entry> entries, int newTokens) {
        List<String> stages = entries.stream().map(ProfiledOps.Entry::stage).distinct().toList();
        List<Row> rows = new ArrayList<>();
        for (String stage : stages) {
            List<ProfiledOps.Entry> in = entries.stream().filter(e -> e.stage().equals(stage))
                    .sorted(Comparator.comparingLong(ProfiledOps.Entry::nanos).reversed()).toList();
            double per = stage.equals("decode") ? newTokens : 1;
            double total = in.stream().mapToLong(ProfiledOps.Entry::nanos).sum();
            for (ProfiledOps.Entry e : in) {
                rows.add(new Row(stage, e.op(), e.shape(), e.calls() / per, e.nanos() / 1e6 / per,
                        total == 0 ? 0 : e.nanos() / total, e.rate(), e.rateUnit()));
            }
        }
        return rows;
    }
}
