package no.ditiosync.drops;

import java.util.Objects;
import no.ditiosync.payroll.PayrollLine;

/**
 * How a target corrects a line it holds, and which of a line's dimensions its drops show. A line that
 * changed only in a dimension the target does not show (a department for SAP, a task for Visma) looks
 * the same there: correcting it would reverse and book again the same hours under the same key.
 */
public record CorrectionRule(CorrectionStyle style, boolean showsTask, boolean showsDepartment) {

    /** A target that shows every dimension of a line (payroll_line, the CSV). */
    public static CorrectionRule of(CorrectionStyle style) {
        return new CorrectionRule(style, true, true);
    }

    /** The rule of a file target in {@code format}; a target without one (JDBC) shows every dimension. */
    public static CorrectionRule of(CorrectionStyle style, DropFormat format) {
        return format == null ? of(style) : new CorrectionRule(style, format.showsTask(), format.showsDepartment());
    }

    /** Whether the target would book {@code a} and {@code b} alike, hours aside. */
    public boolean sameDimensions(PayrollLine a, PayrollLine b) {
        return b != null
                && Objects.equals(a.employeeNumber(), b.employeeNumber())
                && Objects.equals(a.workDate(), b.workDate())
                && Objects.equals(a.wageType(), b.wageType())
                && Objects.equals(a.projectNumber(), b.projectNumber())
                && (!showsTask || Objects.equals(a.taskNumber(), b.taskNumber()))
                && (!showsDepartment || Objects.equals(a.department(), b.department()));
    }
}
