package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * One absence day ({@code /v1/absence-registrations}, docs/ditio-contract.md, "Records"). Immutable: a mutation
 * replaces it in the {@link DitioDataset}. Datetimes are epoch seconds, {@link TimeRegistration#EMPTY}
 * for none. A deleted absence keeps its last field values here (for test oracles); the API shows it
 * only as a tombstone.
 */
public record Absence(long idHi, long idLo, String registrationId, LocalDate date, long startAt, BigDecimal qty,
                      Type type, Catalog.Worker worker, String projectId, boolean approved, long approvedAt,
                      boolean payrollApproved, long payrollApprovedAt, boolean locked, long lockedAt,
                      long modifiedAt, boolean deleted, long deletedAt) implements WorkerRecord {

    /** An absence type as Ditio's customers set them up: the code is what payroll systems map. */
    public record Type(String id, String code, String name) {
    }

    public String absenceTypeCode() {
        return type.code();
    }

    /** An absence registered late, possibly on an old date; modified now. */
    static Absence late(SplittableRandom ids, Catalog.Worker worker, LocalDate date, String typeCode, BigDecimal qty,
                        boolean payrollApproved, long now) {
        Type type = DatasetGenerator.ABSENCE_TYPES.stream().filter(t -> t.code().equals(typeCode)).findFirst()
                .orElseGet(() -> new Type(Guids.toString(typeCode.hashCode(), 1L << 63), typeCode, typeCode));
        long none = TimeRegistration.EMPTY;
        return new Absence(Guids.nextHi(ids), Guids.nextLo(ids), null, date,
                date.atTime(7, 0).atZone(DatasetGenerator.OSLO).toEpochSecond(), qty, type, worker, null,
                payrollApproved, payrollApproved ? now : none, payrollApproved, payrollApproved ? now : none,
                false, none, now, false, none);
    }

    Absence withQty(BigDecimal newQty, long now) {
        return new Absence(idHi, idLo, registrationId, date, startAt, newQty, type, worker, projectId, approved,
                approvedAt, payrollApproved, payrollApprovedAt, locked, lockedAt, now, false, TimeRegistration.EMPTY);
    }

    /** Payroll approval (a foreman approval too, if there was none). */
    Absence withPayrollApproval(long now) {
        return new Absence(idHi, idLo, registrationId, date, startAt, qty, type, worker, projectId, true,
                approved ? approvedAt : now, true, now, locked, lockedAt, now, false, TimeRegistration.EMPTY);
    }

    /** Approval, payroll approval and lock cleared. */
    Absence withoutApproval(long now) {
        long none = TimeRegistration.EMPTY;
        return new Absence(idHi, idLo, registrationId, date, startAt, qty, type, worker, projectId, false, none,
                false, none, false, none, now, false, none);
    }

    Absence asDeleted(long now) {
        return new Absence(idHi, idLo, registrationId, date, startAt, qty, type, worker, projectId, approved,
                approvedAt, payrollApproved, payrollApprovedAt, locked, lockedAt, now, true, now);
    }
}
