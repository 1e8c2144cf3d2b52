package paligemma4j.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import paligemma4j.model.image.ImageException;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.RgbImage;

/**
 * An image sent inline: a {@code data:image/…;base64,…} URI (or bare base64). URLs are refused: the server
 * never fetches anything. Decoded by the same code as {@code generate --image}, so answers are the same.
 */
final class ImageInput {
    private ImageInput() {}

    static RgbImage decode(String value, String param) {
        String v = value.strip();
        String lower = v.length() > 16 ? v.substring(0, 16).toLowerCase(java.util.Locale.ROOT) : v.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw HttpError.bad(param, param + ": http(s) image URLs are refused (the server fetches nothing); "
                    + "send the image inline as a data:image/...;base64,... URI");
        }
        String b64 = v;
        if (lower.startsWith("data:")) {
            int comma = v.indexOf(',');
            if (comma < 0 || !v.substring(0, comma).toLowerCase(java.util.Locale.ROOT).endsWith(";base64")) {
                throw HttpError.bad(param, param + ": expected a data:image/...;base64,... URI");
            }
            b64 = v.substring(comma + 1);
        } else if (lower.contains("://")) {
            throw HttpError.bad(param, param + ": only data: URIs are accepted");
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw HttpError.bad(param, param + ": not valid base64 (" + e.getMessage() + ")");
        }
        if (bytes.length == 0) throw HttpError.bad(param, param + ": empty image");
        Path tmp = null;
        try {
            tmp = Files.createTempFile("paligemma-serve-", ".img");
            Files.write(tmp, bytes);
            return ImagePreprocessor.decodeRgb(tmp);
        } catch (ImageException e) {
            String msg = e.getMessage().replace("image " + tmp + ": ", "").replace(String.valueOf(tmp), "image");
            throw HttpError.bad(param, param + ": " + msg);
        } catch (IOException e) {
            throw new HttpError(500, "server_error", param, "cannot buffer the image: " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }
}
