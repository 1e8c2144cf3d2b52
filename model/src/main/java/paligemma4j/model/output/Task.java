package paligemma4j.model.output;

import java.util.Locale;

/** The PaliGemma task a prompt asks for, read from its prefix ({@code caption en}, {@code detect cat}, …). */
public enum Task {
    CAPTION, ANSWER, QUESTION, DETECT, SEGMENT, OCR, OTHER;

    /** The task of {@code prompt}: its first word, case-insensitive ({@code cap}/{@code caption}, …). */
    public static Task of(String prompt) {
        String p = prompt.strip().toLowerCase(Locale.ROOT);
        String word = p.split("\\s+", 2)[0];
        return switch (word) {
            case "caption", "cap" -> CAPTION;
            case "answer" -> ANSWER;
            case "question" -> QUESTION;
            case "detect" -> DETECT;
            case "segment" -> SEGMENT;
            case "ocr" -> OCR;
            default -> OTHER;
        };
    }

    /** Whether answers to this task are {@code <loc>} boxes (and {@code <seg>} masks). */
    public boolean expectsObjects() {
        return this == DETECT || this == SEGMENT;
    }
}
