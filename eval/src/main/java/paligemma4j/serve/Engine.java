package paligemma4j.serve;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.Sampler;
import paligemma4j.model.StageObserver;
import paligemma4j.model.TokenStream;

/**
 * Runs requests on the one loaded model from a single worker thread. Jobs wait in a bounded queue; up to
 * {@code maxBatch} of them are decoded together, one token of each in turn, and a finished or cancelled job
 * makes room for the next waiting one at once (continuous batching). Every sequence has its own KV cache
 * and sampler, so its tokens are those a lone {@code generate} would produce.
 */
final class Engine implements AutoCloseable {
    private final PaliGemma model;
    private final int eosId, maxBatch, queueSize;
    private final KVCache.Precision kv;
    private final BlockingQueue<Job> waiting;
    private final Thread worker;
    private volatile boolean running = true;
    private volatile int active;
    private final AtomicLong served = new AtomicLong();
    private volatile double avgRunMs = 1000;

    Engine(PaliGemma model, int eosId, KVCache.Precision kv, int maxBatch, int queueSize) {
        this.model = model;
        this.eosId = eosId;
        this.kv = kv;
        this.maxBatch = maxBatch;
        this.queueSize = queueSize;
        this.waiting = new ArrayBlockingQueue<>(queueSize);
        this.worker = Thread.ofPlatform().name("paligemma-engine").daemon(true).start(this::loop);
    }

    /** Queues {@code job}; false when the queue is full (the caller answers 503). */
    boolean submit(Job job) {
        return running && waiting.offer(job);
    }

    /** Takes a cancelled job out of the queue if it is still waiting there. */
    void withdraw(Job job) {
        job.cancel();
        waiting.remove(job);
    }

    int waiting() {
        return waiting.size();
    }

    int active() {
        return active;
    }

    int queueSize() {
        return queueSize;
    }

    int maxBatch() {
        return maxBatch;
    }

    long served() {
        return served.get();
    }

    /** Seconds after which a refused client may try again: the time to work off the queue, at least 1. */
    int retryAfterSeconds() {
        return (int) Math.max(1, Math.ceil(avgRunMs * (waiting.size() + 1) / maxBatch / 1000));
    }

    /** A sequence being decoded. */
    private record Running(Job job, TokenStream stream, Prefix prefix, long startNanos) {}

    private void loop() {
        List<Running> batch = new ArrayList<>();
        while (running) {
            try {
                while (batch.size() < maxBatch) {
                    Job j = batch.isEmpty() ? waiting.poll(200, TimeUnit.MILLISECONDS) : waiting.poll();
                    if (j == null) break;
                    if (j.cancelled()) continue;
                    Running r = start(j);
                    if (r != null) batch.add(r);
                }
                active = batch.size();
                for (Iterator<Running> it = batch.iterator(); it.hasNext(); ) {
                    Running r = it.next();
                    if (r.job.cancelled()) {
                        it.remove();
                        continue;
                    }
                    if (!step(r)) it.remove();
                }
                active = batch.size();
            } catch (InterruptedException e) {
                break;
            }
        }
        for (Running r : batch) r.job.events.add(new Job.Failed("server shutting down"));
        for (Job j; (j = waiting.poll()) != null; ) j.events.add(new Job.Failed("server shutting down"));
    }

    /** Encodes the image and runs the prefix; a failure ends only this job. */
    private Running start(Job j) {
        long t = System.nanoTime();
        try {
            float[] zimg = model.encodeImage(j.pixels, StageObserver.NONE);
            Prefix prefix = model.prefill(zimg, j.prefixIds, j.maxTokens, kv, StageObserver.NONE);
            TokenStream s = new TokenStream(model.decodeState(prefix), new Sampler(j.sampling), j.maxTokens, eosId);
            return new Running(j, s, prefix, t);
        } catch (RuntimeException | OutOfMemoryError e) {
            j.events.add(new Job.Failed("generation failed: " + e.getMessage()));
            return null;
        }
    }

    /** One token of {@code r}; false when it is finished. */
    private boolean step(Running r) {
        try {
            int token = r.stream.step();
            if (token >= 0) r.job.events.add(new Job.Token(token));
            if (!r.stream.done()) return true;
            double runMs = (System.nanoTime() - r.startNanos) / 1e6;
            avgRunMs = 0.8 * avgRunMs + 0.2 * runMs;
            served.incrementAndGet();
            r.job.events.add(new Job.Done(r.stream.tokens(), r.stream.endedWithEos(), r.prefix.length(),
                    (r.startNanos - r.job.createdNanos) / 1e6, runMs));
            return false;
        } catch (RuntimeException | OutOfMemoryError e) {
            r.job.events.add(new Job.Failed("generation failed: " + e.getMessage()));
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
