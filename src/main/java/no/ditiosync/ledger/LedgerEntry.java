package no.ditiosync.ledger;

import no.ditiosync.payroll.PayrollLine;

/**
 * What one target holds for one payroll line. A line that was delivered and later reversed keeps
 * its last dimensions with {@code held = false}, so a cancelled JDBC row or an SAP document can
 * still be named.
 */
public record LedgerEntry(PayrollLine line, boolean held, String documentNumber, int version) {

    public boolean holdsHours() {
        return held && line.quantity().signum() != 0;
    }
}
