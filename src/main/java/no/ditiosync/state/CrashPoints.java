package no.ditiosync.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named points in a run where the crash-recovery tests kill the JVM on purpose, the way a power
 * cut or {@code kill -9} would: no shutdown hooks, no finally blocks. Only active when the system
 * property {@code ditio.crash-at} names the point (tests start the application as a separate
 * process with it); otherwise a no-op. The same points can hold a run instead
 * ({@code ditio.pause-at}), for a test that makes something happen meanwhile (another run).
 */
public final class CrashPoints {

    public static final String PROPERTY = "ditio.crash-at";
    /** Exit status of a deliberate crash, so a test can tell it from a real failure. */
    public static final int EXIT_STATUS = 86;
    /** The point to hold the run at, and the file that says so: written there, the run goes on once it is removed. */
    public static final String PAUSE_PROPERTY = "ditio.pause-at";
    public static final String PAUSE_FILE_PROPERTY = "ditio.pause-file";
    private static final long LONGEST_PAUSE_MILLIS = 10 * 60_000;

    /**
     * After page N is mapped into the run's delta, nothing of the run in the ledger yet (the fetch may
     * be up to two pages ahead) (value: {@code after-page-N}).
     */
    public static final String AFTER_PAGE = "after-page-";
    /** Drop files written under their temporary names, ledger not yet committed. */
    public static final String BEFORE_COMMIT = "before-commit";
    /** Ledger, outbox and watermark committed, drops not yet published. */
    public static final String AFTER_COMMIT = "after-commit";
    /** The first drop renamed, the rest not. */
    public static final String AFTER_FIRST_PUBLISH = "after-first-publish";
    /**
     * A local drop renamed to its final name (outbox 'renaming'), its {@code .done} marker not yet
     * written and the outbox not yet 'published': the payroll side may take the file from here on.
     */
    public static final String AFTER_RENAME = "after-rename";
    /** SFTP: a drop uploaded under its remote temporary name, outbox still 'uploading'. */
    public static final String AFTER_UPLOAD = "after-upload";
    /** SFTP: outbox 'renaming' recorded, the remote temp not renamed yet. */
    public static final String BEFORE_REMOTE_RENAME = "before-remote-rename";
    /** SFTP: the remote temp renamed to the final name, outbox still 'renaming', not 'published'. */
    public static final String AFTER_REMOTE_RENAME = "after-remote-rename";

    private CrashPoints() {
    }

    public static void reached(String point) {
        String wanted = System.getProperty(PROPERTY);
        if (wanted != null && wanted.equals(point)) {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
        String pauseAt = System.getProperty(PAUSE_PROPERTY);
        if (pauseAt != null && pauseAt.equals(point)) {
            pause(Path.of(System.getProperty(PAUSE_FILE_PROPERTY)), point);
        }
    }

    private static void pause(Path file, String point) {
        long until = System.currentTimeMillis() + LONGEST_PAUSE_MILLIS;
        try {
            Files.writeString(file, point);
            while (Files.exists(file) && System.currentTimeMillis() < until) {
                Thread.sleep(20); // a test-only hook: polling the file is all it needs
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
