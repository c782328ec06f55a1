package no.ditiosync.payroll;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The neutral payroll-ready line every drop is made from (docs/output-formats.md, "The payroll line").
 * {@code lineId} is stable across runs: it is the idempotency key the export ledger keys on.
 */
public record PayrollLine(
        String lineId,
        String employeeNumber,
        LocalDate workDate,
        String wageType,
        BigDecimal quantity,
        String projectNumber,
        String taskNumber,
        String department,
        String text,
        String source,
        String sourceId,
        Instant sourceModified) {

    /** Same line, other text. */
    public PayrollLine withText(String newText) {
        return new PayrollLine(lineId, employeeNumber, workDate, wageType, quantity, projectNumber,
                taskNumber, department, newText, source, sourceId, sourceModified);
    }

    /** Same line, other quantity: how corrections are expressed for offsetting targets. */
    public PayrollLine withQuantity(BigDecimal newQuantity) {
        return new PayrollLine(lineId, employeeNumber, workDate, wageType, newQuantity, projectNumber,
                taskNumber, department, text, source, sourceId, sourceModified);
    }
}
