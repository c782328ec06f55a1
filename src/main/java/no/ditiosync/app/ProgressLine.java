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
 * (the log has a line per page for those).
 */
final class ProgressLine implements AutoCloseable {

    private static final int WIDTH = 100;

    private final PrintStream out;
    private final ScheduledExecutorService ticker;
    private boolean drawn;

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
        return new ProgressLine(current, out, every);
    }

    private synchronized void draw(SyncRun run) {
        if (run == null || run.pages() == 0) {
            return;
        }
        String text = text(run, Instant.now());
        out.print("\r" + (text.length() > WIDTH ? text.substring(0, WIDTH) : text + " ".repeat(WIDTH - text.length())));
        out.flush();
        drawn = true;
    }

    static String text(SyncRun run, Instant now) {
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), now).toMillis() / 1000.0);
        return String.format("%s: %s pass, page %d, %,d records, %,d records/s, at %s", run.company(),
                run.mode().name().toLowerCase(), run.pages(), run.recordsRead(), Math.round(run.recordsRead() / seconds),
                run.position());
    }

    /** Stops and wipes the line, so what is printed next starts on a clean line. */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        if (drawn) {
            out.print("\r" + " ".repeat(WIDTH) + "\r");
            out.flush();
        }
    }
}
