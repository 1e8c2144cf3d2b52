package paligemma4j.eval.refcoco;

import java.util.List;

/**
 * One ref of the refer toolkit's {@code refs(unc).p} / {@code refs(umd).p}: an annotated object
 * with its referring expressions.
 *
 * @param refId      {@code ref_id}
 * @param annId      {@code ann_id}: the COCO annotation (object) referred to
 * @param imageId    {@code image_id}
 * @param split      {@code split}: train, val, testA, testB or test
 * @param categoryId {@code category_id}
 * @param sentences  {@code sentences}, in order
 */
public record Ref(long refId, long annId, long imageId, String split, long categoryId, List<Sentence> sentences) {

    /**
     * One expression.
     *
     * @param sentId {@code sent_id}: the prediction id
     * @param sent   {@code sent}: the cleaned, lower-cased expression (the prompt)
     * @param raw    {@code raw}: the original text (not used by the protocol)
     */
    public record Sentence(long sentId, String sent, String raw) {}
}
