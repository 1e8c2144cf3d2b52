package paligemma4j.eval.pope;

import java.nio.file.Path;

/**
 * One line of a POPE question file ({@code coco_pope_*.json}, JSON Lines).
 *
 * @param questionId {@code question_id}, 1..3000 within a file; the prediction id
 * @param image      {@code image}: a COCO val2014 file name
 * @param text       {@code text}: the question, the prompt's {@code {question}}
 * @param label      {@code label}: {@code yes} or {@code no}
 * @param imagePath  {@code DIR/val2014/<image>} (where the runner reads the picture)
 */
public record PopeQuestion(long questionId, String image, String text, String label, Path imagePath) {}
