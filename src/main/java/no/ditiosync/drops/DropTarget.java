package no.ditiosync.drops;

import no.ditiosync.ledger.CrashPoints;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A place payroll lines are delivered to: a file format in a drop folder, or the JDBC table.
 *
 * @param format     null for the JDBC target
 * @param folder     null for the JDBC target
 * @param fileMode   mode of the published files, {@code 0600} or {@code 0640}; null for the JDBC target
 * @param doneMarker whether each published drop gets an empty {@code .done} marker (a per-target setting)
 * @param aggregation one line per registration, or summed per employee × wage type × dimensions
 *                    (offsetting file targets only; null means per registration)
 */
public record DropTarget(String name, CorrectionStyle style, DropFormat format, Path folder, String fileMode,
                         boolean doneMarker, Aggregation aggregation) {

    public static final String JDBC = "jdbc";

    /** A target without {@code .done} markers. */
    public DropTarget(String name, CorrectionStyle style, DropFormat format, Path folder, String fileMode) {
        this(name, style, format, folder, fileMode, false);
    }

    /** A target with one line per registration. */
    public DropTarget(String name, CorrectionStyle style, DropFormat format, Path folder, String fileMode,
                      boolean doneMarker) {
        this(name, style, format, folder, fileMode, doneMarker, Aggregation.PER_REGISTRATION);
    }

    public DropTarget {
        if (doneMarker && format == null) {
            throw new IllegalArgumentException("target " + name + " writes no files, so it cannot have .done markers");
        }
        aggregation = aggregation == null ? Aggregation.PER_REGISTRATION : aggregation;
        if (aggregation.sums() && (format == null || style != CorrectionStyle.OFFSET)) {
            // SAP names each line version by its document number, which a sum would lose; JDBC holds each line
            throw new IllegalArgumentException("target " + name + " cannot be aggregated: only offsetting file targets can");
        }
    }

    public boolean isFile() {
        return format != null;
    }

    /**
     * Publishes one of this target's committed drops in the local drop folder, from the state its
     * outbox row holds: see {@link #publishLocally}.
     */
    public void publish(String status, Path temp, Path finalPath, SftpDrop.OutboxState outbox) throws Exception {
        publishLocally(status, temp, finalPath, doneMarker, outbox);
    }

    /**
     * Publishes a committed drop in the local drop folder, so that no crash blocks it and none
     * delivers it twice. The payroll side may take a published file away at any moment, so whether
     * the rename happened is never judged by looking for the final file: a temp file only
     * disappears by its rename, and the outbox records 'renaming' (durably) before the rename is
     * made. Found 'renaming' with the temp gone, the drop was renamed (and maybe taken already):
     * nothing is renamed again. Then the {@code .done} marker, if the target has them, only while
     * its drop is still there (a marker announces nothing once the drop is taken). The caller then
     * records 'published'. Repeatable after a crash at any point.
     *
     * @param status the drop's outbox state: 'committed' or 'renaming'
     */
    public static void publishLocally(String status, Path temp, Path finalPath, boolean doneMarker,
                                      SftpDrop.OutboxState outbox) throws Exception {
        boolean renameRecorded = SftpDrop.RENAMING.equals(status);
        if (!renameRecorded && Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
            outbox.record(SftpDrop.RENAMING);
            renameRecorded = true;
        }
        if (!renameRecorded || Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
            // 'committed' without its temp: published already (the final is there), or the temp was removed by hand
            AtomicDropFile.publish(temp, finalPath);
        }
        CrashPoints.reached(CrashPoints.AFTER_RENAME);
        if (doneMarker && Files.isRegularFile(finalPath, LinkOption.NOFOLLOW_LINKS)) {
            AtomicDropFile.publishDoneMarker(finalPath);
        }
    }
}
