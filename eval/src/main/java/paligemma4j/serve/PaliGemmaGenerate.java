package paligemma4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.output.BoxConvention;
import paligemma4j.render.OutputFiles;
import paligemma4j.render.TaskOutput;

/**
 * {@code POST /v1/paligemma/generate}: {@code {"image": data URI or base64, "prompt", "max_tokens",
 * "temperature", "top_p", "top_k", "seed", "box_convention", "stream"}} → the text, token ids and the
 * parsed objects (boxes in the image's pixels, masks as COCO RLE when the server has a VQ-VAE). Streaming
 * sends {@code {"text": delta}} events, then the whole result as {@code {"result": …}}.
 */
final class PaliGemmaGenerate {
    private final Server server;

    PaliGemmaGenerate(Server server) {
        this.server = server;
    }

    void handle(HttpExchange ex) throws IOException {
        JsonNode body = Http.readJson(ex);
        JsonNode img = body.get("image");
        if (img == null || !img.isTextual()) throw HttpError.bad("image", "image must be a data URI or base64 string");
        JsonNode p = body.get("prompt");
        if (p == null || !p.isTextual() || p.asText().isBlank()) throw HttpError.bad("prompt", "prompt must be a non-empty string");
        String prompt = p.asText();
        boolean stream = Params.flag(body, "stream");
        int maxTokens = Params.maxTokens(body, server.config.defaultMaxTokens());
        var sampling = Params.sampling(body);
        BoxConvention convention = server.config.convention();
        JsonNode c = body.get("box_convention");
        if (c != null && !c.isNull()) {
            convention = switch (c.asText()) {
                case "big_vision" -> BoxConvention.BIG_VISION;
                case "demo" -> BoxConvention.DEMO;
                default -> throw HttpError.bad("box_convention", "box_convention must be big_vision or demo, got " + c);
            };
        }
        BoxConvention conv = convention;
        RgbImage image = ImageInput.decode(img.asText(), "image");
        Job job = server.prepare(image, prompt, maxTokens, sampling);
        server.run(ex, job, stream, new Server.Responder() {
            public void start(OutputStream out) {
            }

            public void delta(OutputStream out, String text) throws IOException {
                Http.event(out, Server.json(Http.JSON.createObjectNode().put("text", text)));
            }

            public void finish(OutputStream out, Job.Done done, String text) throws IOException {
                ObjectNode o = Http.JSON.createObjectNode();
                o.set("result", result(done, text));
                Http.event(out, Server.json(o));
            }

            public JsonNode result(Job.Done done, String text) {
                TaskOutput t = TaskOutput.of(image, prompt, text, conv, server.config.vae());
                ObjectNode o = Http.JSON.createObjectNode();
                o.put("model", server.modelId());
                o.put("prompt", prompt);
                o.put("text", text);
                ArrayNode ids = o.putArray("tokens");
                for (int id : done.tokens()) ids.add(id);
                o.put("finish_reason", ChatCompletions.reason(done));
                o.put("width", image.width());
                o.put("height", image.height());
                o.put("box_convention", OutputFiles.conventionName(conv));
                o.set("objects", OutputFiles.objects(t, false));
                ArrayNode w = o.putArray("warnings");
                t.warnings().forEach(w::add);
                if (!sampling.greedy()) o.put("seed", sampling.seed());
                o.set("usage", ChatCompletions.usage(done));
                o.putObject("timings_ms").put("queued", done.queuedMs()).put("run", done.runMs());
                return o;
            }
        });
    }
}
