package paligemma4j.eval.run;

import java.util.Arrays;

/**
 * big_vision's prompt cap (docs/eval-protocols.md#prompt-tokens): the eval prompt is
 * {@code [<bos>] + SP(prefix) + SP("\n")} cut to its first {@code text_len} tokens (48 for POPE and RefCOCO, 32 for
 * COCO). A longer prompt loses its tail, the {@code "\n"} included. This is the only place the rule lives.
 */
public final class TextLen {
    private TextLen() {}

    /** The first {@code textLen} ids of {@code prefixIds} (the whole array if it is not longer). */
    public static int[] cap(int[] prefixIds, int textLen) {
        if (textLen < 1) throw new IllegalArgumentException("text_len must be ≥ 1, got " + textLen);
        return prefixIds.length <= textLen ? prefixIds : Arrays.copyOf(prefixIds, textLen);
    }
}
