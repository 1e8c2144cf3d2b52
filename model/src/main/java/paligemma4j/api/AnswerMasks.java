package paligemma4j.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import paligemma4j.model.output.AnswerObject;
import paligemma4j.model.output.ObjectMask;
import paligemma4j.model.output.VqVaeDecoder;

/** The objects' masks of one answer, decoded as the CLI's {@code --out} does ({@link ObjectMask}). */
record AnswerMasks(List<Mask> masks, List<String> warnings) {

    static final String NO_DECODER = "the answer has <seg> tokens but no VQ-VAE mask decoder was loaded "
            + "(LoadOptions.withVae, big_vision's vae-oid.npz): boxes only, no masks";

    /**
     * One entry per object of {@code objects}: its mask on the {@code width × height} image, or null when it has no
     * codes, an empty box, or {@code vae} is null (then one warning says so).
     */
    static AnswerMasks of(List<AnswerObject> objects, int width, int height, VqVaeDecoder vae) {
        List<Mask> masks = new ArrayList<>(objects.size());
        boolean missing = false;
        for (AnswerObject o : objects) {
            Mask m = null;
            if (o.seg() != null && o.drawable()) {
                if (vae == null) missing = true;
                else m = new Mask(width, height, ObjectMask.decode(vae, o.seg(), o.box(), height, width));
            }
            masks.add(m);
        }
        return new AnswerMasks(Collections.unmodifiableList(masks), missing ? List.of(NO_DECODER) : List.of());
    }
}
