package paligemma4j.eval.refcoco;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A RefCOCO model output read by position (docs/eval-protocols.md#refcoco-parsing): the first 4 tokens must be
 * {@code <locNNNN>} (0..1023) and the next 16 {@code <segNNN>} (0..127), with {@code y2 > y1} and {@code x2 > x1};
 * anything after the 20th token is ignored. Anything else is invalid ({@link #INVALID}).
 *
 * @param valid whether the 20 tokens parse
 * @param box   {@code (y1, x1, y2, x2)} loc values, y first
 * @param codes the 16 seg values
 */
public record SegmentationOutput(boolean valid, int[] box, int[] codes) {
    public static final SegmentationOutput INVALID = new SegmentationOutput(false, new int[4], new int[16]);

    private static final Pattern LOC = Pattern.compile("<loc(\\d{4})>");
    private static final Pattern SEG = Pattern.compile("<seg(\\d{3})>");

    /**
     * Parses decoded text: the loc/seg tokens are user-defined SentencePiece pieces that decode to
     * their literal names with nothing between them, so the text must start with them.
     */
    public static SegmentationOutput parseText(String text) {
        int[] box = new int[4], codes = new int[16];
        int at = 0;
        for (int k = 0; k < 20; k++) {
            Matcher m = (k < 4 ? LOC : SEG).matcher(text);
            m.region(at, text.length());
            if (!m.lookingAt()) return INVALID;
            int v = Integer.parseInt(m.group(1));
            if (k < 4) box[k] = v;
            else codes[k - 4] = v;
            at = m.end();
        }
        return of(box, codes);
    }

    /** Parses a list of piece strings (e.g. a predictions line's {@code tokens}); only the first 20 count. */
    public static SegmentationOutput parsePieces(List<String> pieces) {
        if (pieces.size() < 20) return INVALID;
        int[] box = new int[4], codes = new int[16];
        for (int k = 0; k < 20; k++) {
            Matcher m = (k < 4 ? LOC : SEG).matcher(pieces.get(k));
            if (!m.matches()) return INVALID;
            int v = Integer.parseInt(m.group(1));
            if (k < 4) box[k] = v;
            else codes[k - 4] = v;
        }
        return of(box, codes);
    }

    /** Range and box-order checks of big_vision's evaluator. */
    public static SegmentationOutput of(int[] box, int[] codes) {
        for (int v : box) if (v < 0 || v > 1023) return INVALID;
        for (int v : codes) if (v < 0 || v > 127) return INVALID;
        if (!(box[2] > box[0] && box[3] > box[1])) return INVALID;
        return new SegmentationOutput(true, box.clone(), codes.clone());
    }
}
