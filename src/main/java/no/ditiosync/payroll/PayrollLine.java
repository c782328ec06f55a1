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

    /** Same line, other quantity: how corrections are expressed for offsetting targets. */
    public PayrollLine withQuantity(BigDecimal newQuantity) {
        return new PayrollLine(lineId, employeeNumber, workDate, wageType, newQuantity, projectNumber,
                taskNumber, department, text, source, sourceId, sourceModified);
    }

    /** True when the two lines would land on the same payroll key (everything but quantity and lineage). */
    public boolean sameDimensions(PayrollLine other) {
        return other != null
                && java.util.Objects.equals(employeeNumber, other.employeeNumber)
                && java.util.Objects.equals(workDate, other.workDate)
                && java.util.Objects.equals(wageType, other.wageType)
                && java.util.Objects.equals(projectNumber, other.projectNumber)
                && java.util.Objects.equals(taskNumber, other.taskNumber)
                && java.util.Objects.equals(department, other.department);
    }
}
