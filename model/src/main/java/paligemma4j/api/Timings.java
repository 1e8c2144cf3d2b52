package paligemma4j.api;

/** Milliseconds spent in each stage of one answer. */
public record Timings(double preprocessMs, double visionMs, double prefillMs, double decodeMs) {
    public double totalMs() {
        return preprocessMs + visionMs + prefillMs + decodeMs;
    }
}
