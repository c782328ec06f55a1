package no.ditiosync.ledger;

/**
 * A ledger row was not at the version this run read it with: another run changed it in between,
 * which only happens when this run lost its feed lock. Nothing of this run is delivered.
 */
public final class LedgerConflictException extends java.sql.SQLException {

    public LedgerConflictException(String lineId) {
        super("the export ledger" + (lineId == null ? "" : " line " + lineId) + " was changed by another run while this "
                + "one ran (it lost its feed lock): nothing of this run is delivered, the next run delivers the difference");
    }
}
