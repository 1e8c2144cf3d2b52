package paligemma4j.eval.run;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A progress bar with ETA on stderr. On a terminal it is one line redrawn in place: each update moves
 * the cursor up over the previous bar ({@code ESC[1A ESC[2K}) and prints a whole line, so the bar also
 * passes through line filters such as the launcher's {@code grep}; otherwise (a log file, a pipe) it
 * prints a plain line at each further 10 % and at least once a minute. The ETA is the remaining count times the mean time per example of this session (examples
 * recovered by {@code --resume} are counted as done but not timed).
 */
public final class Progress {
    private static final int BAR = 30;
    private static final long PLAIN_EVERY_NANOS = 60_000_000_000L;

    private final PrintStream err;
    private final String label;
    private final int total;
    private final int startDone;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long t0;
    private long lastPlain;
    private int lastDecile;
    private boolean drawn;

    /**
     * @param done        examples already done when this session starts
     * @param interactive redraw one line in place (a terminal) instead of printing plain lines
     * @param clock       nanosecond clock ({@code System::nanoTime})
     */
    public Progress(PrintStream err, String label, int total, int done, boolean interactive, LongSupplier clock) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.startDone = done;
        this.interactive = interactive;
        this.clock = clock;
        this.t0 = clock.getAsLong();
        this.lastPlain = t0;
        this.lastDecile = total == 0 ? 10 : 10 * done / total;
    }

    /** Reports that {@code done} of {@code total} examples are finished. */
    public void update(int done) {
        long now = clock.getAsLong();
        if (interactive) {
            err.print((drawn ? "\u001b[1A\u001b[2K" : "") + line(done, now) + "\n");
            err.flush();
            drawn = true;
            return;
        }
        int decile = total == 0 ? 10 : 10 * done / total;
        if (decile > lastDecile || now - lastPlain >= PLAIN_EVERY_NANOS || done == total) {
            err.println(line(done, now));
            lastDecile = decile;
            lastPlain = now;
        }
    }

    /** {@code label [=====>     ] 12/3000  0.4%  1.23 s/ex  elapsed 0:00:15  ETA 1:01:02}. */
    String line(int done, long now) {
        double frac = total == 0 ? 1 : (double) done / total;
        int filled = (int) Math.floor(frac * BAR);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < BAR; i++) bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        double elapsed = (now - t0) / 1e9;
        int timed = done - startDone;
        String rate = timed > 0 ? String.format("%.2f s/ex", elapsed / timed) : "- s/ex";
        String eta = timed > 0 ? clock((long) Math.ceil(elapsed / timed * (total - done))) : "?";
        return String.format("%s [%s] %d/%d %5.1f%%  %s  elapsed %s  ETA %s",
                label, bar, done, total, 100 * frac, rate, clock((long) elapsed), eta);
    }

    /** {@code H:MM:SS}. */
    static String clock(long seconds) {
        return String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
