package paligemma4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line as the bytes the user typed. The JVM decodes {@code argv} with the locale's charset
 * (ASCII under {@code LANG=C}) and replaces bytes it cannot decode, silently; so the launcher also writes the
 * arguments, each ended by a NUL byte, to a file descriptor named by {@code -Dpaligemma4j.argv=/dev/fd/N},
 * and they are decoded here as strict UTF-8.
 */
final class RawArgs {
    static final String PROPERTY = "paligemma4j.argv";

    private RawArgs() {}

    /** {@code argv} re-decoded from the launcher's raw bytes, or {@code argv} itself when there are none. */
    static String[] decode(String[] argv) {
        String source = System.getProperty(PROPERTY);
        if (source == null || source.isEmpty()) return argv;
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of(source));
        } catch (IOException e) {
            return argv;
        }
        String[] decoded = split(raw);
        return decoded.length == argv.length ? decoded : argv;
    }

    /**
     * NUL-terminated UTF-8 strings; a {@link UsageException} naming the argument and the byte offset of the
     * first byte that is not UTF-8.
     */
    static String[] split(byte[] raw) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != 0) continue;
            String option = out.isEmpty() || !out.getLast().startsWith("-") ? null : out.getLast();
            out.add(utf8(raw, start, i - start, out.size() + 1, option));
            start = i + 1;
        }
        return out.toArray(String[]::new);
    }

    private static String utf8(byte[] b, int off, int len, int index, String option) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        try {
            return d.decode(in).toString();
        } catch (CharacterCodingException e) {
            int bad = firstInvalid(b, off, len);
            throw new UsageException("argument " + index + (option == null ? "" : " (after " + option + ")")
                    + " is not valid UTF-8: byte 0x"
                    + String.format("%02x", b[off + bad] & 0xFF) + " at byte offset " + bad
                    + " (after '" + new String(b, off, bad, StandardCharsets.UTF_8) + "')");
        }
    }

    /** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
    static int firstInvalid(byte[] b, int off, int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(len + 1);
        d.decode(in, out, true);
        return in.position() - off;
    }
}
