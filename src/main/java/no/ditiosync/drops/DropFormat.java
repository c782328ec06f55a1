package no.ditiosync.drops;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import no.ditiosync.payroll.PayrollLine;

/** One payroll file format. A format only renders lines; where and how the file lands is not its business. */
public interface DropFormat {

    /** Target name as used in settings and file names, e.g. {@code visma}. */
    String target();

    Charset charset();

    /** Written once at the top of every file, or nothing. */
    void writeHeader(Writer out) throws IOException;

    void writeLine(DropLine line, Writer out) throws IOException;

    /**
     * Why this format cannot carry {@code line} as it is (a key that does not fit and must not be
     * cut), or null when it can. Asked before the line becomes payroll-ready, so the record is
     * quarantined with this reason instead of failing the drop of a whole run.
     */
    default String refusal(PayrollLine line) {
        return null;
    }

    /**
     * What this format shortens of the users' departments (from Ditio's users, not from the
     * registration: see {@link VismaFormat#shortened}), as one line for the log; null when it keeps
     * every one whole.
     */
    default String shortened(java.util.Collection<String> departments) {
        return null;
    }

    /**
     * Whether a line carries the day or period it is booked in: if so, a line of a closed payroll
     * period is booked on the first open day (Tripletex, SAP, the CSV's bookedDate); Visma has none.
     */
    default boolean carriesDate() {
        return true;
    }

    /**
     * Whether the format writes a cancellation of a line it carried before ({@link DropLine#cancellation()}
     * with the {@link DropLine#documentNumber()} it was sent under), as a target corrected by
     * cancel-and-rebook needs (SAP's STOKZ); a format that does not takes offsetting lines only.
     */
    default boolean writesCancellations() {
        return false;
    }

    /**
     * Whether a line shows its task: if not, aggregated lines are not split by task, since two would look
     * alike, and a line whose task alone changed is not corrected (its correction would change nothing).
     */
    default boolean showsTask() {
        return true;
    }

    /** Whether a line shows its department: if not, a line whose department alone changed is not corrected. */
    default boolean showsDepartment() {
        return true;
    }

    /**
     * A department as this format's lines show it (null: they show none). A line whose department changed
     * to one shown alike (cut to the same width, or the same once fitted to the charset) is not corrected.
     */
    default String departmentShown(String department) {
        return showsDepartment() ? department : null;
    }

    /**
     * Why no drop file can carry the line's project number as it is, or null when it can. Every file
     * writes a field on one line with single blanks ({@link TextCleaner#clean}): "P\t7" or "P  7"
     * would reach payroll as "P 7" and book with that project, so the record waits in quarantine.
     */
    static String projectAltered(PayrollLine line) {
        String project = line.projectNumber();
        if (project == null) {
            return null;
        }
        String cleaned = TextCleaner.clean(project, Integer.MAX_VALUE);
        // most numbers come out as they went in; only one that did not is normalized, for an NFC-only difference
        if (cleaned.equals(project)
                || cleaned.equals(java.text.Normalizer.normalize(project, java.text.Normalizer.Form.NFC))) {
            return null;
        }
        return "project number '" + TextCleaner.shown(project) + "' holds a line break, a tab, another control "
                + "character, a blank other than a space or blanks in a row, which a drop file cannot carry as they are";
    }
}
