package paligemma4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import paligemma4j.model.image.RgbImage;

/**
 * {@code POST /v1/chat/completions} in OpenAI's format: one user message whose content holds the prompt as
 * text parts and exactly one {@code image_url} part (a data URI). Fields: {@code max_tokens},
 * {@code temperature} (default 0 = greedy), {@code top_p}, {@code top_k}, {@code seed}, {@code stream}.
 */
final class ChatCompletions {
    private final Server server;

    ChatCompletions(Server server) {
        this.server = server;
    }

    /** The prompt and image of a request's one user message. */
    record Input(String prompt, RgbImage image) {}

    static Input input(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw HttpError.bad("messages", "messages must be a non-empty array");
        }
        JsonNode user = null;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            if (!role.equals("user")) {
                throw HttpError.bad("messages", "PaliGemma answers one user message (text + image); got a '"
                        + role + "' message");
            }
            if (user != null) throw HttpError.bad("messages", "PaliGemma answers one user message; got several");
            user = m;
        }
        JsonNode content = user.get("content");
        if (content == null || !content.isArray()) {
            throw HttpError.bad("messages", "the user message needs an image: content must be an array of "
                    + "{\"type\":\"text\"} and {\"type\":\"image_url\"} parts");
        }
        StringBuilder prompt = new StringBuilder();
        String url = null;
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> {
                    if (!prompt.isEmpty()) prompt.append(' ');
                    prompt.append(part.path("text").asText(""));
                }
                case "image_url" -> {
                    if (url != null) throw HttpError.bad("messages", "one image per request; got several image_url parts");
                    JsonNode u = part.get("image_url");
                    url = u == null ? null : u.isTextual() ? u.asText() : u.path("url").asText(null);
                    if (url == null) throw HttpError.bad("messages", "image_url part without a url");
                }
                default -> throw HttpError.bad("messages", "unsupported content part type '" + type
                        + "' (expected text or image_url)");
            }
        }
        if (url == null) throw HttpError.bad("messages", "the user message has no image_url part; PaliGemma needs an image");
        if (prompt.toString().isBlank()) throw HttpError.bad("messages", "the user message has no text (the prompt)");
        return new Input(prompt.toString(), ImageInput.decode(url, "image_url"));
    }

    void handle(HttpExchange ex) throws IOException {
        JsonNode body = Http.readJson(ex);
        int n = Params.integer(body, "n", 1);
        if (n != 1) throw HttpError.bad("n", "only n = 1 is supported, got " + n);
        boolean stream = Params.flag(body, "stream");
        int maxTokens = Params.maxTokens(body, server.config.defaultMaxTokens());
        var sampling = Params.sampling(body);
        Input in = input(body);
        Job job = server.prepare(in.image(), in.prompt(), maxTokens, sampling);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        server.run(ex, job, stream, new Server.Responder() {
            public void start(OutputStream out) throws IOException {
                ObjectNode delta = Http.JSON.createObjectNode().put("role", "assistant").put("content", "");
                Http.event(out, Server.json(chunk(id, created, delta, null)));
            }

            public void delta(OutputStream out, String text) throws IOException {
                Http.event(out, Server.json(chunk(id, created, Http.JSON.createObjectNode().put("content", text), null)));
            }

            public void finish(OutputStream out, Job.Done done, String text) throws IOException {
                ObjectNode last = chunk(id, created, Http.JSON.createObjectNode(), reason(done));
                last.set("usage", usage(done));
                Http.event(out, Server.json(last));
            }

            public JsonNode result(Job.Done done, String text) {
                ObjectNode o = head(id, created, "chat.completion");
                ObjectNode choice = o.putArray("choices").addObject();
                choice.put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", text);
                choice.put("finish_reason", reason(done));
                o.set("usage", usage(done));
                return o;
            }
        });
    }

    private ObjectNode head(String id, long created, String object) {
        ObjectNode o = Http.JSON.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", server.modelId());
        return o;
    }

    private ObjectNode chunk(String id, long created, ObjectNode delta, String finish) {
        ObjectNode o = head(id, created, "chat.completion.chunk");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.put("finish_reason", finish);
        return o;
    }

    static String reason(Job.Done d) {
        return d.eos() ? "stop" : "length";
    }

    static ObjectNode usage(Job.Done d) {
        ObjectNode u = Http.JSON.createObjectNode();
        u.put("prompt_tokens", d.prefix());
        u.put("completion_tokens", d.tokens().length);
        u.put("total_tokens", d.prefix() + d.tokens().length);
        return u;
    }
}
