package paligemma4j.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The memory a new run may use: Linux's {@code MemAvailable} (free memory plus reclaimable page cache, which holds
 * the mapped checkpoint's pages once read). The system property {@code paligemma4j.memAvailable} (bytes) stands in
 * for it, and {@code paligemma4j.memoryCheck=off} disables the check.
 */
public final class SystemMemory {
    private SystemMemory() {}

    /** Bytes available now, or empty where unknown (not Linux) or the check is off. */
    public static OptionalLong available() {
        if ("off".equals(System.getProperty("paligemma4j.memoryCheck"))) return OptionalLong.empty();
        String given = System.getProperty("paligemma4j.memAvailable");
        if (given != null) return OptionalLong.of(Long.parseLong(given.trim()));
        try {
            return memAvailable(Files.readString(Path.of("/proc/meminfo")));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code MemAvailable:} line of a {@code /proc/meminfo} text, in bytes. */
    static OptionalLong memAvailable(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (!line.startsWith("MemAvailable:")) continue;
            String[] f = line.substring("MemAvailable:".length()).trim().split("\\s+");
            long kb = Long.parseLong(f[0]);
            return OptionalLong.of(f.length > 1 && f[1].equals("kB") ? kb * 1024 : kb);
        }
        return OptionalLong.empty();
    }
}
