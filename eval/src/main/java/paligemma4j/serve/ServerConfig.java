package paligemma4j.serve;

import paligemma4j.model.output.VqVaeDecoder;
import paligemma4j.model.image.Resize;
import paligemma4j.model.output.BoxConvention;

/**
 * What the server is set up with besides the model.
 *
 * @param modelId          the id {@code /v1/models} lists and responses carry
 * @param defaultMaxTokens {@code max_tokens} when a request gives none
 * @param maxTextLen       longest prompt + answer in tokens
 * @param vae              the mask decoder for segmentation answers, or null (boxes only)
 */
public record ServerConfig(String modelId, int defaultMaxTokens, int maxTextLen, Resize resize,
                           VqVaeDecoder vae, BoxConvention convention, int maxBatch, int queueSize) {}
