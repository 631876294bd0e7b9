package dev.deliberate.eval;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of one profile over the dataset on stderr: problems done of total, accuracy so far and elapsed time.
 * On a terminal it redraws one bar line in place; otherwise it prints a plain line at every tenth of the way, so that
 * logs stay readable. Thread-safe: runs finish on any thread.
 */
public final class Progress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoTime;

    private String profile = "";
    private int total;
    private int done;
    private int correct;
    private long startedAt;
    private int lastTenth;

    /**
     * @param terminal redraw a bar in place ({@code \r}) rather than print plain lines
     * @param nanoTime the clock for elapsed time ({@code System::nanoTime})
     */
    public Progress(PrintStream out, boolean terminal, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    public synchronized void start(String profile, int total) {
        this.profile = profile;
        this.total = total;
        this.done = 0;
        this.correct = 0;
        this.lastTenth = 0;
        this.startedAt = nanoTime.getAsLong();
        if (terminal) {
            out.print("\r" + line());
        } else {
            out.println(profile + ": " + total + " problems");
        }
        out.flush();
    }

    public synchronized void done(boolean right) {
        done++;
        correct += right ? 1 : 0;
        if (terminal) {
            out.print("\r" + line());
        } else {
            int tenth = total == 0 ? 10 : done * 10 / total;
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(line());
            }
        }
        out.flush();
    }

    /** Ends the profile's bar line. */
    public synchronized void finish() {
        if (terminal) {
            out.println();
            out.flush();
        }
    }

    private String line() {
        int filled = total == 0 ? WIDTH : done * WIDTH / total;
        long seconds = (nanoTime.getAsLong() - startedAt) / 1_000_000_000L;
        String accuracy = done == 0 ? "  -  " : String.format(Locale.ROOT, "%5.1f%%", 100.0 * correct / done);
        return String.format(
                Locale.ROOT,
                "%-24s [%s%s] %d/%d  accuracy %s  %02d:%02d",
                profile,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                done,
                total,
                accuracy,
                seconds / 60,
                seconds % 60);
    }
}
