package no.ditiosync.simulator;

/** What the rows of one worker with a two-long id (absences, payroll lines) say alike. */
public interface WorkerRecord {

    long idHi();

    long idLo();

    Catalog.Worker worker();

    default String id() {
        return Guids.toString(idHi(), idLo());
    }

    default String userId() {
        return worker().identityUserId();
    }

    /** The employee number as the row carries it: as on the worker's registrations (null or empty for some users). */
    default String employeeNumber() {
        return worker().employeeNumberOnRegistrations();
    }
}
