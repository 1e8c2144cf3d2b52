package paligemma4j.api;

import java.nio.file.Path;

/** One question: an image file (JPEG, PNG, BMP, GIF) and a prompt such as {@code "caption en"} or {@code "detect cat"}. */
public record Request(Path image, String prompt) {
    public Request {
        if (image == null || prompt == null) throw new PaliGemmaException("a request needs an image and a prompt");
    }
}
