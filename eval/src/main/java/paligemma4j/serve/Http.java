package paligemma4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Reading JSON bodies and writing JSON, error and server-sent-event responses. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Largest accepted request body (an image as a data URI). */
    static final int MAX_BODY = 32 << 20;

    private Http() {}

    /** The body as a JSON object; 413 when too large, 400 when not a JSON object. */
    static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new HttpError(413, "invalid_request_error", null, "request body over " + (MAX_BODY >> 20) + " MiB");
        }
        JsonNode j;
        try {
            j = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw HttpError.bad(null, "body is not valid JSON: " + e.getOriginalMessage());
        }
        if (j == null || !j.isObject()) throw HttpError.bad(null, "body must be a JSON object");
        return j;
    }

    static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** {@code {"error": {"message", "type", "param", "code"}}} as OpenAI's API writes errors. */
    static ObjectNode errorBody(String message, String type, String param, String code) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return o;
    }

    static void sendError(HttpExchange ex, HttpError e) throws IOException {
        sendJson(ex, e.status, errorBody(e.getMessage(), e.type, e.param, null));
    }

    /** Starts a server-sent-event stream. */
    static OutputStream startEvents(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    /** One {@code data:} event, flushed so the client sees it now. */
    static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** An SSE comment: clients ignore it; writing it finds out whether the client is still there. */
    static void ping(OutputStream out) throws IOException {
        out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
