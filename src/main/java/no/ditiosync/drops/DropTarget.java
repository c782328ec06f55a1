package no.ditiosync.drops;

import no.ditiosync.ledger.CorrectionStyle;

import java.nio.file.Path;

/**
 * A place payroll lines are delivered to: a file format in a drop folder, or the JDBC table.
 *
 * @param format null for the JDBC target
 * @param folder   null for the JDBC target
 * @param fileMode mode of the published files, {@code 0600} or {@code 0640}; null for the JDBC target
 */
public record DropTarget(String name, CorrectionStyle style, DropFormat format, Path folder, String fileMode) {

    public static final String JDBC = "jdbc";

    public boolean isFile() {
        return format != null;
    }
}
