package paligemma4j.checkpoint.paligemma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import paligemma4j.checkpoint.CheckpointException;

/**
 * The settings of a Hugging Face PaliGemma {@code config.json} that the tensor shapes cannot tell: head counts,
 * epsilons, the RoPE base, the {@code <image>} id. transformers writes only the values that differ from its config
 * classes' defaults, so a missing key takes {@code SiglipVisionConfig}'s / {@code GemmaConfig}'s default, and a
 * missing {@code vision_config} / {@code text_config} PaliGemmaConfig's own (docs/model.md#hugging-face-configjson).
 * Both transformers 4 and 5 key names are read. Gemma 2's soft-caps and query scaling default as in
 * {@code Gemma2Config} (50, 30, 256); a cap written as null is off. Gemma 1 has neither cap and scales by head_dim.
 *
 * @param textModel          {@code text_config.model_type}: {@code gemma} (PaliGemma 1) or {@code gemma2}
 * @param imageTokenId       the {@code <image>} id: rows of the embedding from here on are not vocabulary
 * @param attnSoftCap        {@code text_config.attn_logit_softcapping} (0 = off)
 * @param finalSoftCap       {@code text_config.final_logit_softcapping} (0 = off)
 * @param queryPreAttnScalar {@code text_config.query_pre_attn_scalar}: q is scaled by its {@code ^−1/2} (0 = head_dim)
 */
public record HfConfig(int visionHeads, int patch, float visionEps, String textModel, int heads, int kvHeads,
                       int headDim, float rmsEps, float ropeTheta, int imageTokenId, float attnSoftCap, float finalSoftCap,
                       int queryPreAttnScalar) {

    /** A Gemma 1 text model's settings: no soft-caps, queries scaled by head_dim. */
    public HfConfig(int visionHeads, int patch, float visionEps, String textModel, int heads, int kvHeads,
                    int headDim, float rmsEps, float ropeTheta, int imageTokenId) {
        this(visionHeads, patch, visionEps, textModel, heads, kvHeads, headDim, rmsEps, ropeTheta, imageTokenId, 0f, 0f, 0);
    }

    /** True for a Gemma 2 text model (PaliGemma 2). */
    public boolean gemma2() {
        return textModel.equals("gemma2");
    }

    /** A {@code config.json} with nothing in it: PaliGemmaConfig's defaults (the 3B model). */
    public static final HfConfig DEFAULTS = parse(MissingNode.getInstance(), "defaults");

    /** {@code config.json} of the model directory {@code dir} (or beside the single file); the defaults if there is none. */
    public static HfConfig near(Path checkpoint) {
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve("config.json") : checkpoint.resolveSibling("config.json");
        if (!Files.isRegularFile(file)) return DEFAULTS;
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            if (root == null || !root.isObject()) throw new CheckpointException(file + ": expected a JSON object");
            return parse(root, file.toString());
        } catch (IOException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    static HfConfig parse(JsonNode root, String file) {
        JsonNode v = root.path("vision_config"), t = root.path("text_config");
        boolean pgVision = v.isMissingNode(), pgText = t.isMissingNode();
        String textModel = t.path("model_type").asText("gemma");
        JsonNode rope = t.path("rope_parameters");
        float theta = (float) number(t.has("rope_theta") ? t.path("rope_theta") : rope.path("rope_theta"), 10_000, file, "text_config.rope_theta");
        int image = (int) number(root.has("image_token_id") ? root.path("image_token_id") : root.path("image_token_index"),
                256_000, file, "image_token_index");
        boolean g2 = textModel.equals("gemma2");
        return new HfConfig(
                (int) number(v.path("num_attention_heads"), pgVision ? 16 : 12, file, "vision_config.num_attention_heads"),
                (int) number(v.path("patch_size"), pgVision ? 14 : 16, file, "vision_config.patch_size"),
                (float) number(v.path("layer_norm_eps"), 1e-6, file, "vision_config.layer_norm_eps"),
                textModel,
                (int) number(t.path("num_attention_heads"), pgText ? 8 : textModel.equals("gemma2") ? 8 : 16, file,
                        "text_config.num_attention_heads"),
                (int) number(t.path("num_key_value_heads"), pgText ? 1 : textModel.equals("gemma2") ? 4 : 16, file,
                        "text_config.num_key_value_heads"),
                (int) number(t.path("head_dim"), 256, file, "text_config.head_dim"),
                (float) number(t.path("rms_norm_eps"), 1e-6, file, "text_config.rms_norm_eps"),
                theta, image,
                g2 ? cap(t.path("attn_logit_softcapping"), 50, file, "text_config.attn_logit_softcapping") : 0f,
                g2 ? cap(t.path("final_logit_softcapping"), 30, file, "text_config.final_logit_softcapping") : 0f,
                g2 ? (int) number(t.path("query_pre_attn_scalar"), 256, file, "text_config.query_pre_attn_scalar") : 0);
    }

    /** A soft-cap: the default where the key is missing, off (0) where it is null. */
    private static float cap(JsonNode n, double fallback, String file, String key) {
        if (n.isNull()) return 0f;
        float c = (float) number(n, fallback, file, key);
        if (!(c >= 0f) || Float.isInfinite(c)) throw new CheckpointException(file + ": " + key + " is " + n + ", expected a number ≥ 0 or null");
        return c;
    }

    private static double number(JsonNode n, double fallback, String file, String key) {
        if (n.isMissingNode() || n.isNull()) return fallback;
        if (!n.isNumber()) throw new CheckpointException(file + ": " + key + " is " + n + ", expected a number");
        return n.asDouble();
    }
}
