package paligemma4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.image.Resize;
import paligemma4j.model.output.BoxConvention;
import paligemma4j.model.tokenizer.Tokenizer;
import paligemma4j.serve.Server;
import paligemma4j.serve.ServerConfig;

/** A server on the tiny checkpoint at a free loopback port, and small HTTP helpers for the serve tests. */
final class ServeFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final PaliGemma model;
    final Server server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Room for the long streams of {@link ServeCommandTest#LONG} tokens. */
    static final int MAX_TEXT_LEN = 65_536;

    ServeFixture(int batch, int queue) throws Exception {
        Tokenizer tok = Tokenizer.load(Path.of(GenerateCommandTest.TOK));
        model = PaliGemma.load(Path.of(GenerateCommandTest.CKPT), Backends.open("jvm", 2, -1));
        server = new Server(model, tok, KVCache.Precision.BF16,
                new ServerConfig("tiny-224", 32, MAX_TEXT_LEN, Resize.BILINEAR, null, BoxConvention.BIG_VISION, batch, queue),
                "127.0.0.1", 0);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static String dataUri(String image) throws Exception {
        String mime = image.endsWith(".png") ? "image/png" : "image/jpeg";
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(image)));
    }

    /** An OpenAI chat body: one user message with the prompt and the image. */
    static String chatBody(String prompt, String image, int maxTokens, boolean stream) throws Exception {
        var body = JSON.createObjectNode();
        body.put("model", "tiny-224");
        body.put("max_tokens", maxTokens);
        if (stream) body.put("stream", true);
        var content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", prompt);
        content.addObject().put("type", "image_url").putObject("image_url").put("url", dataUri(image));
        return JSON.writeValueAsString(body);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code data:} payloads of an SSE response, up to and including {@code [DONE]}. */
    List<String> events(String path, String body) throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        List<String> out = new ArrayList<>();
        if (r.statusCode() != 200) throw new AssertionError("status " + r.statusCode() + ": " + new String(r.body().readAllBytes()));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) out.add(line.substring(6));
            }
        }
        return out;
    }

    /** The text a streamed chat completion delivers, its finish reason and completion tokens. */
    record Streamed(String text, String finish, int completionTokens) {}

    Streamed streamChat(String body) throws Exception {
        StringBuilder text = new StringBuilder();
        String finish = null;
        int tokens = -1;
        List<String> events = events("/v1/chat/completions", body);
        if (!events.getLast().equals("[DONE]")) throw new AssertionError("no [DONE]: " + events);
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode j = JSON.readTree(e);
            JsonNode choice = j.get("choices").get(0);
            if (choice.get("delta").has("content")) text.append(choice.get("delta").get("content").asText());
            if (!choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
            if (j.has("usage")) tokens = j.get("usage").get("completion_tokens").asInt();
        }
        return new Streamed(text.toString(), finish, tokens);
    }

    @Override
    public void close() {
        server.close();
        model.close();
    }
}
