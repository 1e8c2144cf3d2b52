package paligemma4j.model.output;

import java.util.ArrayList;
import java.util.List;

/**
 * A generated answer read as task output: the text always, the objects it names (detection / segmentation
 * answers) in original-image pixels, and warnings for what could not be read. Nothing is dropped: an answer
 * that does not parse stays as text with a warning.
 */
public record ParsedAnswer(String text, List<AnswerObject> objects, List<String> warnings) {

    public ParsedAnswer {
        objects = List.copyOf(objects);
        warnings = List.copyOf(warnings);
    }

    /**
     * Parses {@code text}, the answer to {@code prompt} about an image of {@code height × width} pixels, with
     * {@code convention} turning loc bins into pixels (see docs/outputs.md).
     */
    public static ParsedAnswer parse(String prompt, String text, int height, int width, BoxConvention convention) {
        Task task = Task.of(prompt);
        List<AnswerObject> objects = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Detection d : DetectionParser.parse(text)) {
            PixelBox box = d.toPixels(height, width, convention);
            AnswerObject o = new AnswerObject(d.label(), box, d, d.segTokens());
            if (!o.drawable()) {
                warnings.add("object " + objects.size() + " ('" + d.label() + "') has an empty box: loc y "
                        + d.y0() + "→" + d.y1() + ", x " + d.x0() + "→" + d.x1());
            }
            objects.add(o);
        }
        if (objects.isEmpty() && (task.expectsObjects() || text.contains("<loc"))) {
            warnings.add("the answer has no complete <loc> box (four <locNNNN> tokens); reported as text");
        } else if (task == Task.SEGMENT && !objects.isEmpty()
                && objects.stream().allMatch(o -> o.seg() == null)) {
            warnings.add("segment answer without 16 <segNNN> tokens: boxes only, no mask");
        }
        return new ParsedAnswer(text, objects, warnings);
    }
}
