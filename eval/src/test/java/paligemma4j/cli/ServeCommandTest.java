package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code serve}'s endpoints on the tiny checkpoint: answers equal generate's, errors, 503, disconnects. */
class ServeCommandTest {
    static final String IMG = GenerateCommandTest.IMG;
    static ServeFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ServeFixture(2, 2);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static JsonNode generate(String prompt, int maxTokens) throws Exception {
        var r = GenerateCommandTest.run("generate", "--checkpoint", GenerateCommandTest.CKPT, "--tokenizer",
                GenerateCommandTest.TOK, "--image", IMG, "--prompt", prompt, "--max-tokens", String.valueOf(maxTokens), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        return ServeFixture.JSON.readTree(r.out());
    }

    @Test
    void chatCompletionEqualsGenerateStreamedAndNot() throws Exception {
        JsonNode g = generate("caption en", 10);
        var r = f.post("/v1/chat/completions", ServeFixture.chatBody("caption en", IMG, 10, false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = ServeFixture.JSON.readTree(r.body());
        assertThat(j.get("object").asText()).isEqualTo("chat.completion");
        assertThat(j.get("model").asText()).isEqualTo("tiny-224");
        JsonNode choice = j.get("choices").get(0);
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isEqualTo(g.get("text").asText());
        assertThat(choice.get("finish_reason").asText()).isEqualTo(g.get("tokens").size() == 10 ? "length" : "stop");
        assertThat(j.get("usage").get("completion_tokens").asInt()).isEqualTo(g.get("tokens").size());
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(g.get("prefix_tokens").asInt());
        var s = f.streamChat(ServeFixture.chatBody("caption en", IMG, 10, true));
        assertThat(s.text()).isEqualTo(g.get("text").asText());
        assertThat(s.completionTokens()).isEqualTo(g.get("tokens").size());
        assertThat(s.finish()).isEqualTo(choice.get("finish_reason").asText());
    }

    @Test
    void paligemmaEndpointReturnsTokensAndObjects() throws Exception {
        JsonNode g = generate("detect cat", 8);
        var body = ServeFixture.JSON.createObjectNode().put("image", ServeFixture.dataUri(IMG)).put("prompt", "detect cat")
                .put("max_tokens", 8);
        var r = f.post("/v1/paligemma/generate", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = ServeFixture.JSON.readTree(r.body());
        assertThat(j.get("tokens")).isEqualTo(g.get("tokens"));
        assertThat(j.get("text")).isEqualTo(g.get("text"));
        assertThat(j.get("objects")).isEqualTo(g.get("objects"));
        assertThat(j.get("width").asInt()).isEqualTo(230);
        List<String> events = f.events("/v1/paligemma/generate", body.put("stream", true).toString());
        StringBuilder text = new StringBuilder();
        JsonNode result = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode ev = ServeFixture.JSON.readTree(e);
            if (ev.has("text")) text.append(ev.get("text").asText());
            if (ev.has("result")) result = ev.get("result");
        }
        assertThat(events.getLast()).isEqualTo("[DONE]");
        assertThat(text.toString()).isEqualTo(g.get("text").asText());
        assertThat(result.get("tokens")).isEqualTo(g.get("tokens"));
    }

    @Test
    void samplingFieldsFollowGenerate() throws Exception {
        var r = GenerateCommandTest.run("generate", "--checkpoint", GenerateCommandTest.CKPT, "--tokenizer",
                GenerateCommandTest.TOK, "--image", IMG, "--prompt", "caption en", "--max-tokens", "8", "--json",
                "--temperature", "1.2", "--top-p", "0.9", "--seed", "77");
        JsonNode g = ServeFixture.JSON.readTree(r.out());
        var body = ServeFixture.JSON.readTree(ServeFixture.chatBody("caption en", IMG, 8, false));
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("temperature", 1.2).put("top_p", 0.9).put("seed", 77);
        var resp = f.post("/v1/chat/completions", body.toString());
        assertThat(ServeFixture.JSON.readTree(resp.body()).get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(g.get("text").asText());
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        var url = f.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"caption en\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.jpg\"}}]}]}");
        assertThat(url.statusCode()).isEqualTo(400);
        JsonNode e = ServeFixture.JSON.readTree(url.body()).get("error");
        assertThat(e.get("message").asText()).contains("http(s) image URLs are refused");
        assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(f.post("/v1/chat/completions", "{not json").statusCode()).isEqualTo(400);
        var noImage = f.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"caption en\"}]}");
        assertThat(noImage.statusCode()).isEqualTo(400);
        assertThat(noImage.body()).contains("needs an image");
        var badImage = f.post("/v1/paligemma/generate", "{\"image\":\"data:image/png;base64,aGVsbG8=\",\"prompt\":\"caption en\"}");
        assertThat(badImage.statusCode()).isEqualTo(400);
        assertThat(ServeFixture.JSON.readTree(badImage.body()).get("error").get("message").asText()).startsWith("image: ");
        var badTemp = f.post("/v1/paligemma/generate", "{\"image\":\"x\",\"prompt\":\"p\",\"temperature\":\"hot\"}");
        assertThat(badTemp.body()).contains("temperature must be a number");
        assertThat(f.get("/nope").statusCode()).isEqualTo(404);
        assertThat(f.get("/v1/chat/completions").statusCode()).isEqualTo(405);
        for (var r : List.of(f.get("/nope"), f.get("/v1/chat/completions"))) {
            assertThat(ServeFixture.JSON.readTree(r.body()).get("error").get("message").asText()).isNotBlank();
        }
        JsonNode models = ServeFixture.JSON.readTree(f.get("/v1/models").body());
        assertThat(models.get("data").get(0).get("id").asText()).isEqualTo("tiny-224");
        JsonNode health = ServeFixture.JSON.readTree(f.get("/health").body());
        assertThat(health.get("status").asText()).isEqualTo("ok");
        var page = f.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<canvas id=\"canvas\"").doesNotContain("http://", "https://");
    }

    /**
     * A long streamed answer, left open until the caller closes the stream: greedy on the tiny checkpoint never
     * writes {@code <eos>} here, so it runs until closed. Once the JIT has compiled the decoder, the tiny model makes
     * thousands of tokens in a fraction of a second; at 50,000 the attention over the growing cache keeps each stream
     * busy for many seconds, longer than the test's checks.
     */
    static final int LONG = 50_000;

    InputStream openLongStream() throws Exception {
        String body = ServeFixture.chatBody("caption en", IMG, LONG, true);
        var r = f.http.send(HttpRequest.newBuilder(f.uri("/v1/chat/completions")).POST(
                HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        InputStream in = r.body();
        in.read();   // the stream has started
        // keep reading, as a client does: a stream nobody reads fills the socket and the server drops it
        Thread.ofVirtual().start(() -> {
            try {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException closed) {
                // the test closed the stream: the client went away
            }
        });
        return in;
    }

    /** {@code /health} once it satisfies {@code until}, or after 15 s (the caller's assertion then fails). */
    static JsonNode awaitHealth(java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode h;
        do {
            h = ServeFixture.JSON.readTree(f.get("/health").body());
            if (until.test(h)) return h;
            Thread.sleep(10);
        } while (System.currentTimeMillis() < deadline);
        return h;
    }

    @Test
    void fullQueueAnswers503AndDisconnectsFreeSlots() throws Exception {
        // batch 2 + queue 2: four long streams fill the server, a fifth request is refused
        List<InputStream> open = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            open.add(openLongStream());
            int running = i + 1;   // the engine has taken it from the queue (image encoded, prefix run)
            assertThat(awaitHealth(h -> h.get("active").asInt() == running).get("active").asInt()).isEqualTo(running);
        }
        List<CompletableFuture<HttpResponse<InputStream>>> queued = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String body = ServeFixture.chatBody("caption en", IMG, LONG, true);
            queued.add(f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/chat/completions")).POST(
                    HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream()));
        }
        JsonNode busy = awaitHealth(h -> h.get("waiting").asInt() == 2);
        assertThat(busy.get("active").asInt()).as("%s", busy).isEqualTo(2);
        assertThat(busy.get("waiting").asInt()).as("%s", busy).isEqualTo(2);
        var refused = f.post("/v1/chat/completions", ServeFixture.chatBody("caption en", IMG, 4, false));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(Integer.parseInt(refused.headers().firstValue("Retry-After").get())).isPositive();
        assertThat(ServeFixture.JSON.readTree(refused.body()).get("error").get("code").asText()).isEqualTo("queue_full");
        long served = ServeFixture.JSON.readTree(f.get("/health").body()).get("served").asLong();
        // every client goes away: the slots free up without the answers being finished
        for (InputStream in : open) in.close();
        for (var q : queued) q.cancel(true);
        for (var q : queued) {
            if (!q.isCancelled()) q.join().body().close();
        }
        JsonNode h = awaitHealth(x -> x.get("active").asInt() == 0 && x.get("waiting").asInt() == 0);
        assertThat(h.get("active").asInt()).isZero();
        assertThat(h.get("waiting").asInt()).isZero();
        assertThat(h.get("served").asLong()).as("abandoned answers are dropped, not finished").isLessThanOrEqualTo(served + 1);
        var after = f.post("/v1/chat/completions", ServeFixture.chatBody("caption en", IMG, 4, false));
        assertThat(after.statusCode()).isEqualTo(200);
    }
}
