package no.ditiosync.drops;

import no.ditiosync.payroll.PayrollLine;

/**
 * One line as it goes into a drop file: the payroll line (whose quantity is already the delta to
 * deliver, negative for an offsetting correction) plus what a cancel-and-rebook target needs.
 *
 * @param documentNumber SAP EXTDOCUMENTNO of this line version (null for targets without one)
 * @param cancellation   true for an SAP cancellation ({@code STOKZ = X}) of {@code documentNumber}
 */
public record DropLine(PayrollLine line, String documentNumber, boolean cancellation) {

    public static DropLine of(PayrollLine line) {
        return new DropLine(line, null, false);
    }
}
