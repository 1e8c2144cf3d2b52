/**
 * Embedding PaliGemma in a Java application: {@link paligemma4j.api.PaliGemmaModel} loads a checkpoint in any
 * format the CLI reads (big_vision {@code .npz} / Flax msgpack, a Hugging Face directory or {@code .safetensors}
 * file) and answers prompts about images, one at a time or as a batch, optionally streaming each token to a
 * {@link paligemma4j.api.TokenListener}. Results are {@link paligemma4j.api.Answer} records with the text, token
 * ids, timings and, for detection / segmentation prompts, the objects with boxes in image pixels, their mask codes
 * and, with a VQ-VAE decoder loaded ({@link paligemma4j.api.LoadOptions#vae()}), their decoded {@link paligemma4j.api.Mask}s.
 * Bad input raises {@link paligemma4j.api.PaliGemmaException} with a one-line message.
 *
 * <p><b>Threads:</b> one model may be shared by any number of threads; its calls run one at a time (the decoder
 * keeps one workspace), each using all the model's worker threads. For parallel answers load several models.
 */
package paligemma4j.api;
