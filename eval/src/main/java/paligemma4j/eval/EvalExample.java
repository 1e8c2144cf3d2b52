package paligemma4j.eval;

import java.nio.file.Path;

/**
 * One example a runner feeds to the model.
 *
 * @param id     the prediction id to write ({@code {"id": id, "answer": ...}})
 * @param prompt the prefix text (before big_vision's separate {@code "\n"})
 * @param image  the image file
 */
public record EvalExample(long id, String prompt, Path image) {}
