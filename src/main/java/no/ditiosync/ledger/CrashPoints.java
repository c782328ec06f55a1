package no.ditiosync.ledger;

/**
 * Named points in a run where the crash-recovery tests kill the JVM on purpose, the way a power
 * cut or {@code kill -9} would: no shutdown hooks, no finally blocks. Only active when the system
 * property {@code ditio.crash-at} names the point (tests start the application as a separate
 * process with it); otherwise a no-op.
 */
public final class CrashPoints {

    public static final String PROPERTY = "ditio.crash-at";
    /** Exit status of a deliberate crash, so a test can tell it from a real failure. */
    public static final int EXIT_STATUS = 86;

    /** After a page is stored, before the next one is fetched (value: {@code after-page-N}). */
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
    }
}
