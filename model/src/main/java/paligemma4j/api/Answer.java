package paligemma4j.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import paligemma4j.model.output.AnswerObject;

/**
 * One answer.
 *
 * @param prompt   the prompt asked
 * @param text     the decoded answer
 * @param tokens   the generated ids before the first {@code <eos>}
 * @param objects  for detection / segmentation answers: label, box {@code [y0, x0, y1, x1]} in pixels of the
 *                 original image, and the 16 mask codes of a segment answer ({@code AnswerObject.seg()}, null if none)
 * @param masks    one entry per object: its decoded {@link Mask} on the original image, or null when the object has
 *                 no mask codes, an empty box, or no VQ-VAE decoder was loaded ({@link LoadOptions#vae()})
 * @param warnings what could not be read as task output (the text is kept in any case)
 * @param timings  time per stage
 */
public record Answer(String prompt, String text, int[] tokens, List<AnswerObject> objects, List<Mask> masks,
                     List<String> warnings, Timings timings) {

    public Answer {
        tokens = tokens.clone();
        objects = List.copyOf(objects);
        if (masks.size() != objects.size()) {
            throw new IllegalArgumentException("answer: " + masks.size() + " masks for " + objects.size() + " objects");
        }
        masks = Collections.unmodifiableList(new ArrayList<>(masks));   // null entries: objects without a mask
        warnings = List.copyOf(warnings);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Generated tokens per second of decoding. */
    public double tokensPerSecond() {
        return tokens.length == 0 || timings.decodeMs() == 0 ? 0 : tokens.length / (timings.decodeMs() / 1000);
    }
}
