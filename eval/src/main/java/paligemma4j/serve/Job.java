package paligemma4j.serve;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import paligemma4j.model.Sampling;

/**
 * One generation request on its way through the {@link Engine}: the preprocessed image and the prompt's
 * token ids in, a stream of events out ({@link Token} per generated token, then one {@link Done} or
 * {@link Failed}). The HTTP side reads the events; the engine never blocks on a client.
 */
final class Job {
    /** An event of a job's stream. */
    sealed interface Event permits Token, Done, Failed {}

    record Token(int id) implements Event {}

    /**
     * @param tokens  generated ids before {@code <eos>}
     * @param eos     true when the model ended with {@code <eos>} ("stop"), false at the token limit ("length")
     * @param prefix  tokens in the prefix (image tokens + prompt)
     */
    record Done(int[] tokens, boolean eos, int prefix, double queuedMs, double runMs) implements Event {}

    record Failed(String message) implements Event {}

    final float[] pixels;
    final int[] prefixIds;
    final int maxTokens;
    final Sampling sampling;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final long createdNanos = System.nanoTime();
    private volatile boolean cancelled;

    Job(float[] pixels, int[] prefixIds, int maxTokens, Sampling sampling) {
        this.pixels = pixels;
        this.prefixIds = prefixIds;
        this.maxTokens = maxTokens;
        this.sampling = sampling;
    }

    /** The client is gone: the engine drops the job before its next token and frees its slot. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }
}
