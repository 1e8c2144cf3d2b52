package paligemma4j.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size written as transformers' {@code max_shard_size} takes it: bytes, or a number with KB/MB/GB (powers of
 * 1000) or KiB/MiB/GiB (powers of 1024), e.g. {@code 5GB}, {@code 100KB}, {@code 2GiB}.
 */
final class ByteSize {
    private ByteSize() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(|B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)");

    /** The bytes {@code text} names; a usage error naming {@code option} otherwise. */
    static long parse(String option, String text) {
        Matcher m = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("--" + option + ": expected a size such as 5GB, 500MB or 2GiB, got '" + text + "'");
        }
        long unit = switch (m.group(2)) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            default -> 1L;
        };
        double bytes = Double.parseDouble(m.group(1)) * unit;
        if (bytes < 1 || bytes > Long.MAX_VALUE) {
            throw new UsageException("--" + option + ": expected a size of at least 1 byte, got '" + text + "'");
        }
        return (long) bytes;
    }
}
