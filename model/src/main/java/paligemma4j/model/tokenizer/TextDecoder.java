package paligemma4j.model.tokenizer;

/** Token ids to text, one tokenizer-file format's semantics (no cut at eos: {@link Tokenizer} does that). */
interface TextDecoder {
    String decode(int[] ids, int from, int to);
}
