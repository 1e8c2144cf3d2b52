package paligemma4j.kernels;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed set of daemon threads, created once and reused by every call, that run the tasks
 * {@code 0 .. n-1} of one parallel loop. The calling thread takes tasks too, so {@code threads}
 * counts it: a pool of 2 starts one extra thread. Tasks are handed out from a shared counter
 * (dynamic balancing: the machine may be shared).
 */
final class WorkerPool implements AutoCloseable {

    private final int threads;
    private final ExecutorService executor;
    @SuppressWarnings("unchecked")
    private final Future<?>[] pending;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pending = new Future<?>[threads];
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "paligemma4j-kernels");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), spread over the pool; returns when all are done. */
    synchronized void run(int tasks, IntConsumer body) {
        int helpers = Math.min(threads, tasks) - 1;
        if (helpers <= 0) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                body.accept(t);
            }
        };
        for (int i = 0; i < helpers; i++) {
            pending[i] = executor.submit(worker);
        }
        Throwable failure = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(tasks);
        }
        for (int i = 0; i < helpers; i++) {
            try {
                pending[i].get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
            pending[i] = null;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        } else if (failure != null) {
            throw new IllegalStateException("parallel kernel task failed", failure);
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
