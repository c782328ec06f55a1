package no.ditiosync.simulator;

import java.util.UUID;

/** How the {@link RecordTable}s of a {@link DitioDataset} read the keys of their records. */
final class RecordKeys {

    // these two stay spelled out as they were in DitioDataset; the later tables use RecordTable.keys
    static final RecordTable.Keys<TimeRegistration> REGISTRATIONS = new RecordTable.Keys<>() {
        public long idHi(TimeRegistration r) {
            return r.idHi();
        }

        public long idLo(TimeRegistration r) {
            return r.idLo();
        }

        public long day(TimeRegistration r) {
            return r.workDate().toEpochDay();
        }

        public long modifiedEpochSecond(TimeRegistration r) {
            return r.modifiedEpochSecond();
        }

        public boolean deleted(TimeRegistration r) {
            return r.isDeleted();
        }
    };

    static final RecordTable.Keys<DitioUser> USERS = new RecordTable.Keys<>() {
        public long idHi(DitioUser u) {
            return UUID.fromString(u.id()).getMostSignificantBits();
        }

        public long idLo(DitioUser u) {
            return UUID.fromString(u.id()).getLeastSignificantBits();
        }

        public long day(DitioUser u) {
            return 0; // metadata: no date window, full mode orders by id only
        }

        public long modifiedEpochSecond(DitioUser u) {
            return u.modifiedDateTime().getEpochSecond();
        }

        public boolean deleted(DitioUser u) {
            return u.isDeleted();
        }
    };

    static final RecordTable.Keys<Absence> ABSENCES = RecordTable.keys(Absence::idHi, Absence::idLo,
            a -> a.date().toEpochDay(), Absence::modifiedAt, Absence::deleted);

    // metadata: no date window, full mode orders by id only; a deletion is a change, though the row
    // shows the last change before it
    static final RecordTable.Keys<ProjectRow> PROJECTS = RecordTable.keys(ProjectRow::idHi, ProjectRow::idLo,
            p -> 0, ProjectRow::changedAt, ProjectRow::deleted);

    static final RecordTable.Keys<PayrollDay> PAYROLL_DAYS = RecordTable.keys(PayrollDay::idHi, PayrollDay::idLo,
            p -> p.date().toEpochDay(), PayrollDay::modifiedAt, PayrollDay::deleted);

    private RecordKeys() {
    }
}
