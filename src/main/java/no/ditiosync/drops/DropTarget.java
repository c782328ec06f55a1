package no.ditiosync.drops;

import java.nio.file.Path;
import java.util.List;

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

    /** Its correction style, and the dimensions of a line its drops show. */
    public CorrectionRule correctionRule() {
        return CorrectionRule.of(style, format);
    }

    /**
     * Why one of the file targets cannot carry the line (a key its format has no room for, a character its
     * charset lacks, a project number shortened for them), or null: a line mapped with them on is quarantined.
     */
    public static String refusal(List<DropTarget> targets, no.ditiosync.payroll.PayrollLine line) {
        if (targets.stream().noneMatch(DropTarget::isFile)) {
            return null;
        }
        String altered = DropFormat.projectAltered(line);
        return altered != null ? altered : targets.stream().filter(DropTarget::isFile).map(t -> t.format().refusal(line))
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    public boolean isFile() {
        return format != null;
    }
}
