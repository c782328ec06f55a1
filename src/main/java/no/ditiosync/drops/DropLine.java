package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;

import java.time.LocalDate;
import java.time.YearMonth;

/**
 * One line as it goes into a drop file: the payroll line (whose quantity is already the delta to
 * deliver, negative for an offsetting correction) plus what a cancel-and-rebook target needs, and
 * the day it is booked on when that is not its work date.
 *
 * @param documentNumber SAP EXTDOCUMENTNO of this line version (null for targets without one)
 * @param cancellation   true for an SAP cancellation ({@code STOKZ = X}) of {@code documentNumber}
 * @param bookedDate     the first open day when the work date lies in a closed payroll period
 *                       (PAYROLL_CLOSED_THROUGH); null: booked on its work date
 */
public record DropLine(PayrollLine line, String documentNumber, boolean cancellation, LocalDate bookedDate) {

    public DropLine(PayrollLine line, String documentNumber, boolean cancellation) {
        this(line, documentNumber, cancellation, null);
    }

    public static DropLine of(PayrollLine line) {
        return new DropLine(line, null, false, null);
    }

    /** The same line booked on {@code day} instead of its work date. */
    public DropLine bookedOn(LocalDate day) {
        return new DropLine(line, documentNumber, cancellation, day);
    }

    /** The day the line is booked on: its work date, or the first open day after a closed period. */
    public LocalDate booked() {
        return bookedDate != null ? bookedDate : line.workDate();
    }

    /** Whether the line is booked on another day than its work date (its period was closed). */
    public boolean moved() {
        return bookedDate != null && !bookedDate.equals(line.workDate());
    }

    /**
     * The line's text as a format with a date shows it: for a line booked outside its closed period,
     * prefixed with the work date it belongs to ({@code worked 2026-10-14: …}; a monthly sum names
     * its month), so the payroll office sees which day the correction is for.
     */
    public String labelledText() {
        if (!moved()) {
            return line.text();
        }
        String day = line.lineId().startsWith(Aggregation.SUM_PREFIX)
                ? YearMonth.from(line.workDate()).toString() : line.workDate().toString();
        String text = TextCleaner.clean(line.text(), Integer.MAX_VALUE);
        return "worked " + day + (text.isEmpty() ? "" : ": " + text);
    }
}
