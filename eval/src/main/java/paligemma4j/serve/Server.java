package paligemma4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Sampling;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * The HTTP server of {@code paligemma serve} on the JDK's {@code com.sun.net.httpserver} (see
 * docs/server.md for why): one handler thread per request (virtual threads), one {@link Engine} running the
 * model. Routes: {@code GET /} (the web page), {@code GET /health}, {@code GET /v1/models},
 * {@code POST /v1/chat/completions}, {@code POST /v1/paligemma/generate}.
 */
public final class Server implements AutoCloseable {
    final ServerConfig config;
    final Tokenizer tokenizer;
    final Engine engine;
    private final int resolution;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final long started = System.currentTimeMillis() / 1000;

    public Server(PaliGemma model, Tokenizer tokenizer, KVCache.Precision kv, ServerConfig config, String host, int port)
            throws IOException {
        this.config = config;
        this.tokenizer = tokenizer;
        this.resolution = model.config().vision().resolution();
        this.engine = new Engine(model, tokenizer.eosId(), kv, config.maxBatch(), config.queueSize());
        this.http = HttpServer.create(new InetSocketAddress(host, port), 256);
        http.setExecutor(threads);
        ChatCompletions chat = new ChatCompletions(this);
        PaliGemmaGenerate pg = new PaliGemmaGenerate(this);
        http.createContext("/", ex -> handle(ex, "GET", this::page));
        http.createContext("/health", ex -> handle(ex, "GET", this::health));
        http.createContext("/v1/models", ex -> handle(ex, "GET", this::models));
        http.createContext("/v1/chat/completions", ex -> handle(ex, "POST", chat::handle));
        http.createContext("/v1/paligemma/generate", ex -> handle(ex, "POST", pg::handle));
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String modelId() {
        return config.modelId();
    }

    long created() {
        return started;
    }

    /** A route's work; may throw {@link HttpError} for a clean 4xx/5xx. */
    @FunctionalInterface
    interface Route {
        void handle(HttpExchange ex) throws IOException;
    }

    private void handle(HttpExchange ex, String method, Route route) {
        try {
            String path = ex.getRequestURI().getPath();
            String context = ex.getHttpContext().getPath();
            if (!path.equals(context) && !(context.equals("/") && path.equals("/index.html"))) {
                throw new HttpError(404, "not_found", null, "no such endpoint: " + path);
            }
            if (ex.getRequestMethod().equals("OPTIONS")) {
                ex.getResponseHeaders().set("Allow", method + ", OPTIONS");
                ex.sendResponseHeaders(204, -1);
                return;
            }
            if (!ex.getRequestMethod().equals(method)
                    && !(method.equals("GET") && ex.getRequestMethod().equals("HEAD"))) {
                ex.getResponseHeaders().set("Allow", method);
                throw new HttpError(405, "invalid_request_error", null,
                        ex.getRequestMethod() + " " + path + " is not allowed; use " + method);
            }
            route.handle(ex);
        } catch (HttpError e) {
            try {
                Http.sendError(ex, e);
            } catch (IOException | RuntimeException ignored) {
                // headers already sent or the client is gone: nothing more to say
            }
        } catch (IOException e) {
            // the client went away mid-response
        } catch (RuntimeException | OutOfMemoryError e) {
            try {
                Http.sendError(ex, new HttpError(500, "server_error", null, "internal error: " + e));
            } catch (IOException | RuntimeException ignored) {
                // headers already sent
            }
        } finally {
            ex.close();
        }
    }

    private void page(HttpExchange ex) throws IOException {
        byte[] html;
        try (InputStream in = Server.class.getResourceAsStream("index.html")) {
            if (in == null) throw new HttpError(500, "server_error", null, "the web page is missing from the jar");
            html = in.readAllBytes();
        }
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : html.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!ex.getRequestMethod().equals("HEAD")) out.write(html);
        }
    }

    private void health(HttpExchange ex) throws IOException {
        ObjectNode o = Http.JSON.createObjectNode();
        o.put("status", "ok");
        o.put("model", config.modelId());
        o.put("waiting", engine.waiting());
        o.put("active", engine.active());
        o.put("queue_size", engine.queueSize());
        o.put("max_batch", engine.maxBatch());
        o.put("served", engine.served());
        Http.sendJson(ex, 200, o);
    }

    private void models(HttpExchange ex) throws IOException {
        ObjectNode o = Http.JSON.createObjectNode();
        o.put("object", "list");
        ObjectNode m = o.putArray("data").addObject();
        m.put("id", config.modelId());
        m.put("object", "model");
        m.put("created", started);
        m.put("owned_by", "paligemma4j");
        Http.sendJson(ex, 200, o);
    }

    /** Tokenizes, checks the length and preprocesses the image: everything that can be refused with a 4xx. */
    Job prepare(RgbImage image, String prompt, int maxTokens, Sampling sampling) {
        int[] prefix;
        synchronized (tokenizer) {
            prefix = tokenizer.prefixTokens(prompt);
        }
        if (prefix.length + maxTokens > config.maxTextLen()) {
            throw HttpError.bad("max_tokens", "prompt is " + prefix.length + " tokens; with max_tokens " + maxTokens
                    + " that exceeds the server's max text length " + config.maxTextLen());
        }
        float[] pixels = ImagePreprocessor.preprocess(image, resolution, config.resize());
        return new Job(pixels, prefix, maxTokens, sampling);
    }

    String decode(int[] tokens) {
        synchronized (tokenizer) {
            return tokenizer.decode(tokens);
        }
    }

    /** What a generation endpoint does with a job's stream. */
    interface Responder {
        /** Streaming: before the first token. */
        void start(OutputStream out) throws IOException;

        /** Streaming: a piece of text. */
        void delta(OutputStream out, String text) throws IOException;

        /** Streaming: the end. */
        void finish(OutputStream out, Job.Done done, String text) throws IOException;

        /** Not streaming: the whole response body. */
        JsonNode result(Job.Done done, String text);
    }

    /**
     * Queues {@code job} (503 with Retry-After when the queue is full) and answers from its events. A client
     * that disconnects is noticed on the next write (a token, or a keep-alive written every second) and its
     * job is withdrawn, freeing its slot.
     */
    void run(HttpExchange ex, Job job, boolean stream, Responder r) throws IOException {
        if (!engine.submit(job)) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(engine.retryAfterSeconds()));
            Http.sendJson(ex, 503, Http.errorBody("the server is busy: " + engine.waiting() + " requests waiting (queue size "
                    + engine.queueSize() + "); retry later", "server_overloaded", null, "queue_full"));
            return;
        }
        try {
            if (stream) runStreaming(ex, job, r);
            else runWhole(ex, job, r);
        } catch (IOException | RuntimeException e) {
            engine.withdraw(job);
            throw e;
        } catch (InterruptedException e) {
            engine.withdraw(job);
            Thread.currentThread().interrupt();
        }
    }

    private void runStreaming(HttpExchange ex, Job job, Responder r) throws IOException, InterruptedException {
        OutputStream out = Http.startEvents(ex);
        r.start(out);
        TextStream text = new TextStream(tokenizer);
        while (true) {
            Job.Event e = job.events.poll(1, TimeUnit.SECONDS);
            switch (e) {
                case null -> Http.ping(out);
                case Job.Token t -> {
                    String d;
                    synchronized (tokenizer) {
                        d = text.add(t.id());
                    }
                    if (!d.isEmpty()) r.delta(out, d);
                }
                case Job.Done d -> {
                    String full = decode(d.tokens());
                    String rest = text.finish(full);
                    if (!rest.isEmpty()) r.delta(out, rest);
                    r.finish(out, d, full);
                    Http.event(out, "[DONE]");
                    out.close();
                    return;
                }
                case Job.Failed f -> {
                    Http.event(out, Http.JSON.writeValueAsString(Http.errorBody(f.message(), "server_error", null, null)));
                    out.close();
                    return;
                }
            }
        }
    }

    private void runWhole(HttpExchange ex, Job job, Responder r) throws IOException, InterruptedException {
        OutputStream out = null;   // opened once the answer takes over a second, to write keep-alive spaces
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (true) {
            long wait = out == null ? Math.max(1, deadline - System.nanoTime()) : 1_000_000_000L;
            Job.Event e = job.events.poll(wait, TimeUnit.NANOSECONDS);
            switch (e) {
                case null -> {
                    if (out == null) {
                        ex.getResponseHeaders().set("Content-Type", "application/json");
                        ex.sendResponseHeaders(200, 0);
                        out = ex.getResponseBody();
                    }
                    out.write(' ');   // JSON allows leading whitespace
                    out.flush();
                }
                case Job.Token t -> { }
                case Job.Done d -> {
                    JsonNode body = r.result(d, decode(d.tokens()));
                    if (out == null) {
                        Http.sendJson(ex, 200, body);
                    } else {
                        out.write(Http.JSON.writeValueAsBytes(body));
                        out.close();
                    }
                    return;
                }
                case Job.Failed f -> {
                    JsonNode body = Http.errorBody(f.message(), "server_error", null, null);
                    if (out == null) {
                        Http.sendJson(ex, 500, body);
                    } else {
                        out.write(Http.JSON.writeValueAsBytes(body));
                        out.close();
                    }
                    return;
                }
            }
        }
    }

    static String json(JsonNode n) {
        try {
            return Http.JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        engine.close();
        threads.shutdownNow();
    }
}
