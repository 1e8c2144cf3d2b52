package paligemma4j.eval.io;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of a predictions file: {@code {"id": ..., "answer": "..."}} plus any other fields.
 *
 * @param id     the example id of the benchmark (POPE question_id, MMVP Index, COCO cocoid, RefCOCO sent_id)
 * @param answer the generated text, exactly as decoded
 * @param line   the whole JSON object (other fields such as {@code tokens} are read by some scorers)
 * @param lineNo 1-based line number in the file, for messages
 */
public record Prediction(long id, String answer, JsonNode line, int lineNo) {}
