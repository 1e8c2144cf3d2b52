package paligemma4j.model.output;

/**
 * big_vision's positional reading of a referring-expression segmentation answer
 * (docs/eval-protocols.md#refcoco-parsing): only the first 20 generated ids count, as 4 box bins
 * {@code t_k = id − locBase} then 16 mask codes {@code s_j = id − segBase}. The prediction is
 * valid iff there are 20 ids, every {@code t_k} is in {@code [0, locBins)}, every {@code s_j} in
 * {@code [0, segCodes)}, and {@code t_2 > t_0}, {@code t_3 > t_1}. Anything after id 19 (EOS,
 * label text) is ignored; an EOS, pad or text token inside the first 20 makes it invalid.
 *
 * <p>{@code box} and {@code codes} hold the offsets as read (possibly out of range when invalid),
 * or are null when fewer than 20 ids were generated. {@code reason} says why an invalid
 * prediction is invalid, and is null for a valid one.
 */
public record RefCocoPrediction(boolean valid, int[] box, int[] codes, String reason) {

    /** Loc tokens in PaliGemma's vocabulary ({@code <loc0000>…<loc1023>}). */
    public static final int LOC_BINS = 1024;
    /** Seg tokens in PaliGemma's vocabulary ({@code <seg000>…<seg127>}), the VQ-VAE codebook size. */
    public static final int SEG_CODES = 128;
    /** Ids read: 4 box bins + 16 mask codes. */
    public static final int LENGTH = 4 + DetectionParser.SEG_TOKENS_PER_MASK;

    public RefCocoPrediction {
        box = box == null ? null : box.clone();
        codes = codes == null ? null : codes.clone();
    }

    /**
     * Reads the generated ids with the tokenizer's first loc and seg ids ({@code <loc0000>},
     * {@code <seg000>}); never pass constants here, take them from the tokenizer.
     */
    public static RefCocoPrediction fromIds(int[] ids, int locBase, int segBase) {
        return fromIds(ids, locBase, LOC_BINS, segBase, SEG_CODES);
    }

    /** As {@link #fromIds(int[], int, int)}, with the loc and seg token counts given. */
    public static RefCocoPrediction fromIds(int[] ids, int locBase, int locBins, int segBase, int segCodes) {
        if (ids.length < LENGTH) {
            return new RefCocoPrediction(false, null, null,
                    "only " + ids.length + " ids generated, expected at least " + LENGTH);
        }
        int[] box = new int[4];
        int[] codes = new int[DetectionParser.SEG_TOKENS_PER_MASK];
        String reason = null;
        for (int k = 0; k < 4; k++) {
            box[k] = ids[k] - locBase;
            if (reason == null && (box[k] < 0 || box[k] >= locBins)) {
                reason = "id " + ids[k] + " at position " + k + " is not a loc token";
            }
        }
        for (int j = 0; j < codes.length; j++) {
            codes[j] = ids[4 + j] - segBase;
            if (reason == null && (codes[j] < 0 || codes[j] >= segCodes)) {
                reason = "id " + ids[4 + j] + " at position " + (4 + j) + " is not a seg token";
            }
        }
        if (reason == null && !(box[2] > box[0] && box[3] > box[1])) {
            reason = "empty box: y " + box[0] + "→" + box[2] + ", x " + box[1] + "→" + box[3];
        }
        return new RefCocoPrediction(reason == null, box, codes, reason);
    }

    /**
     * The box in pixels of the original {@code height × width} image with big_vision's
     * {@code /1023} and truncation; may be {@link PixelBox#isEmpty() empty} after truncation
     * (scored IoU 0). Only for valid predictions.
     */
    public PixelBox pixelBox(int height, int width) {
        if (!valid) {
            throw new IllegalStateException("invalid RefCOCO prediction has no box: " + reason);
        }
        return BoxConvention.BIG_VISION.toPixels(box[0], box[1], box[2], box[3], height, width);
    }

    @Override
    public int[] box() {
        return box == null ? null : box.clone();
    }

    @Override
    public int[] codes() {
        return codes == null ? null : codes.clone();
    }
}
