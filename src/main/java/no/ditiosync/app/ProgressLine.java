package no.ditiosync.app;

import no.ditiosync.run.SyncRun;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one line {@code sync --once} keeps redrawing on a terminal while a pass runs: pages, records,
 * records per second and where the pass stands. Not written when the output is a file or a pipe
 * (the log has a line per page for those). A log line written meanwhile goes through
 * {@link #aroundLog}, which takes the progress line away first and draws it again after.
 */
final class ProgressLine implements AutoCloseable {

    private static final int WIDTH = 100;
    /** The line on the terminal now, if any: the console log appender asks it to step aside. */
    private static volatile ProgressLine shown;

    private final PrintStream out;
    private final ScheduledExecutorService ticker;
    private boolean drawn;
    private boolean closed;
    private String drawnText;

    private ProgressLine(Supplier<SyncRun> current, PrintStream out, Duration every) {
        this.out = out;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-line");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> draw(current.get()), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Redraws the line of the run {@code current} gives, every {@code every}, until closed. */
    static ProgressLine start(Supplier<SyncRun> current, PrintStream out, Duration every) {
        ProgressLine line = new ProgressLine(current, out, every);
        shown = line;
        return line;
    }

    /**
     * Writes a log line ({@code write}) on a clean terminal line: the progress line, when one is drawn,
     * is wiped before and drawn again after, so neither overwrites the other.
     */
    static void aroundLog(Runnable write) {
        ProgressLine line = shown;
        if (line == null) {
            write.run();
            return;
        }
        synchronized (line) {
            boolean wasDrawn = line.drawn;
            line.wipe();
            write.run();
            if (wasDrawn && line.drawnText != null) {
                line.print(line.drawnText);
            }
        }
    }

    private synchronized void draw(SyncRun run) {
        if (closed || run == null || run.pages() == 0) {
            return;
        }
        print(text(run, Instant.now()));
    }

    private void print(String text) {
        drawnText = text;
        out.print("\r" + (text.length() > WIDTH ? text.substring(0, WIDTH) : text + " ".repeat(WIDTH - text.length())));
        out.flush();
        drawn = true;
    }

    private void wipe() {
        if (drawn) {
            out.print("\r" + " ".repeat(WIDTH) + "\r");
            out.flush();
            drawn = false;
        }
    }

    static String text(SyncRun run, Instant now) {
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), now).toMillis() / 1000.0);
        return String.format(java.util.Locale.ROOT, "%s: %s pass, page %d, %,d records, %,d records/s, at %s", run.company(),
                run.mode().name().toLowerCase(java.util.Locale.ROOT), run.pages(), run.recordsRead(), Math.round(run.recordsRead() / seconds),
                no.ditiosync.drops.TextCleaner.shown(run.position())); // as Ditio wrote the date
    }

    /** Stops and wipes the line, so what is printed next starts on a clean line. */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        closed = true;
        if (shown == this) {
            shown = null;
        }
        wipe();
    }
}
