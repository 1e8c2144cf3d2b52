package paligemma4j.model.tokenizer;

/** Text to token ids, one tokenizer-file format's semantics. */
interface TextEncoder {
    int[] encode(String text);
}
