package no.ditiosync.drops;

import java.util.Objects;
import java.util.function.UnaryOperator;
import no.ditiosync.payroll.PayrollLine;

/**
 * How a target corrects a line it holds, and which of a line's dimensions its drops show, and how. A
 * line that changed only in a dimension the target does not show (a department for SAP, a task for
 * Visma), or to a value it shows alike (a department cut to Visma's 30 characters), looks the same
 * there: correcting it would reverse and book again the same hours under the same key.
 */
public record CorrectionRule(CorrectionStyle style, boolean showsTask, UnaryOperator<String> departmentShown) {

    /** A target that shows every dimension of a line as it is (payroll_line, the CSV). */
    public static CorrectionRule of(CorrectionStyle style) {
        return new CorrectionRule(style, true, UnaryOperator.identity());
    }

    /** The rule of a file target in {@code format}; a target without one (JDBC) shows every dimension. */
    public static CorrectionRule of(CorrectionStyle style, DropFormat format) {
        return format == null ? of(style) : new CorrectionRule(style, format.showsTask(), format::departmentShown);
    }

    /** Whether the target would book {@code a} and {@code b} alike, hours aside. */
    public boolean sameDimensions(PayrollLine a, PayrollLine b) {
        return b != null
                && Objects.equals(a.employeeNumber(), b.employeeNumber())
                && Objects.equals(a.workDate(), b.workDate())
                && Objects.equals(a.wageType(), b.wageType())
                && Objects.equals(a.projectNumber(), b.projectNumber())
                && (!showsTask || Objects.equals(a.taskNumber(), b.taskNumber()))
                && (Objects.equals(a.department(), b.department())
                    || Objects.equals(departmentShown.apply(a.department()), departmentShown.apply(b.department())));
    }
}
