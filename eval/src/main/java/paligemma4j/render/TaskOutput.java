package paligemma4j.render;

import paligemma4j.model.output.ObjectMask;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.model.output.VqVaeDecoder;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.output.AnswerObject;
import paligemma4j.model.output.BoxConvention;
import paligemma4j.model.output.ParsedAnswer;

/**
 * An answer placed on its image: the parsed objects, each object's whole-image mask (null when it has
 * none or no VQ-VAE was given), the box convention used and every warning.
 */
public record TaskOutput(RgbImage image, String prompt, ParsedAnswer answer, BoxConvention convention,
                         List<boolean[]> masks, List<String> warnings) {

    /** Parses {@code text} and decodes masks with {@code vae} (may be null: boxes only, with a warning). */
    public static TaskOutput of(RgbImage image, String prompt, String text, BoxConvention convention,
                                VqVaeDecoder vae) {
        ParsedAnswer answer = ParsedAnswer.parse(prompt, text, image.height(), image.width(), convention);
        List<boolean[]> masks = new ArrayList<>();
        List<String> warnings = new ArrayList<>(answer.warnings());
        boolean missingVae = false;
        for (AnswerObject o : answer.objects()) {
            boolean[] m = null;
            if (o.seg() != null && o.drawable()) {
                if (vae == null) {
                    missingVae = true;
                } else {
                    m = ObjectMask.decode(vae, o.seg(), o.box(), image.height(), image.width());
                }
            }
            masks.add(m);
        }
        if (missingVae) warnings.add("the answer has <seg> tokens but no --vae FILE was given: boxes only, no masks");
        return new TaskOutput(image, prompt, answer, convention, masks, warnings);
    }

    public List<AnswerObject> objects() {
        return answer.objects();
    }
}
