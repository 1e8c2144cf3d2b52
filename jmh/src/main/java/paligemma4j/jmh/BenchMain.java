package paligemma4j.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Main class of {@code jmh/target/benchmarks.jar}: runs JMH with its usual command line
 * ({@code [FILTER] [-p name=v,...] [-wi N] [-i N] [-f N] [-rf json -rff FILE] ...}), then prints
 * one more table: each benchmark's mean time and its derived rate ({@link Work}: GFLOP/s for
 * matmul and attention, GB/s for the rest). {@code -h}, {@code -l} and {@code -lp} go to JMH as is.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            if (a.equals("-h") || a.equals("-l") || a.equals("-lp") || a.equals("-lprof") || a.equals("-lrf")) {
                org.openjdk.jmh.Main.main(args);
                return;
            }
        }
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.println("Derived rates (mean time per call; rate = work / mean time):");
        System.out.printf("%-22s %-40s %14s %12s%n", "benchmark", "params", "mean ms", "rate");
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String bench = p.getBenchmark();
            String simple = bench.substring(0, bench.lastIndexOf('.'));
            simple = simple.substring(simple.lastIndexOf('.') + 1);
            Map<String, String> params = new LinkedHashMap<>();
            List<String> shown = new ArrayList<>();
            for (String k : p.getParamsKeys()) {
                params.put(k, p.getParam(k));
                shown.add(k + "=" + p.getParam(k));
            }
            Result<?> primary = r.getPrimaryResult();
            double seconds = primary.getScore() * secondsPer(p.getTimeUnit());
            Work work = Work.of(simple, params);
            String rate = work == null ? "-" : String.format("%.2f %s", work.amount() / seconds / 1e9, work.unit());
            System.out.printf("%-22s %-40s %14.4f %12s%n", simple + "." + bench.substring(bench.lastIndexOf('.') + 1),
                    String.join(",", shown), seconds * 1e3, rate);
        }
    }

    private static double secondsPer(TimeUnit unit) {
        return unit.toNanos(1) / 1e9;
    }
}
