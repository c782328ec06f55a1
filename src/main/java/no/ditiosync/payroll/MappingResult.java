package no.ditiosync.payroll;

/** What one Ditio record means for payroll right now. */
public record MappingResult(Status status, PayrollLine line, String reason) {

    public enum Status {
        /** payroll-ready: {@link #line()} is what payroll should hold for this record */
        READY,
        /** not approved (yet) for the configured gate: payroll should hold nothing */
        HELD,
        /** work date before PAYROLL_START_DATE: never exported */
        BEFORE_START,
        /** deleted in Ditio: payroll should hold nothing */
        DELETED,
        /** ready but cannot become a payroll line: {@link #reason()} says why */
        QUARANTINED
    }

    public static MappingResult ready(PayrollLine line) {
        return new MappingResult(Status.READY, line, null);
    }

    public static MappingResult of(Status status) {
        return new MappingResult(status, null, null);
    }

    public static MappingResult quarantined(String reason) {
        return new MappingResult(Status.QUARANTINED, null, reason);
    }
}
