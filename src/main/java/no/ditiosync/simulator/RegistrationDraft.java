package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.SplittableRandom;

import static no.ditiosync.simulator.TimeRegistration.EMPTY;

/**
 * The next version of a {@link TimeRegistration} while it is being built, and the changes Ditio
 * makes to one (approvals, un-approval, deletion). {@link #build()} copies it, so one draft can be
 * reused (the generator builds a million registrations with one).
 */
final class RegistrationDraft {
    long idHi;
    long idLo;
    Catalog.Worker worker;
    Catalog.Project project;
    Catalog.Task task;
    Catalog.Resource resource;
    LocalDate workDate;
    BigDecimal qty;
    BigDecimal breakQty = BigDecimal.ZERO;
    long startAt;
    String description;
    String descriptionInternal;
    String approvedByName;
    String lockedByName;
    boolean approved;
    boolean payrollApproved;
    boolean locked;
    boolean invoiced;
    boolean deleted;
    long approvedAt = EMPTY;
    long payrollApprovedAt = EMPTY;
    long lockedAt = EMPTY;
    long createdAt = EMPTY;
    long modifiedAt = EMPTY;
    long deletedAt = EMPTY;

    TimeRegistration build() {
        return new TimeRegistration(this);
    }

    /** A registration made late, possibly for an old work date: created and modified now. */
    static RegistrationDraft late(SplittableRandom ids, Catalog.Worker worker, LocalDate workDate, BigDecimal qty,
                                  long now) {
        RegistrationDraft d = new RegistrationDraft();
        d.idHi = Guids.nextHi(ids);
        d.idLo = Guids.nextLo(ids);
        d.worker = worker;
        d.project = worker.projects().get(0);
        d.task = d.project.tasks().get(0);
        d.resource = worker.machine();
        d.workDate = workDate;
        d.qty = qty;
        d.startAt = workDate.atTime(7, 0).atZone(DatasetGenerator.OSLO).toEpochSecond();
        d.description = "Glemt å føre timer; etterregistrert";
        d.createdAt = now;
        d.modifiedAt = now;
        return d;
    }

    /** Foreman approval, by the worker's foreman. */
    void approve(long now) {
        approved = true;
        approvedAt = now;
        approvedByName = worker.foremanName();
    }

    /** Payroll approval (a foreman approval at the same instant, if there was none). */
    void payrollApprove(long now) {
        if (!approved) {
            approve(now);
        }
        payrollApproved = true;
        payrollApprovedAt = now;
    }

    /** Clears approval, payroll approval and lock (an unapproved record cannot stay locked). */
    void unapprove() {
        approved = false;
        approvedAt = EMPTY;
        approvedByName = null;
        payrollApproved = false;
        payrollApprovedAt = EMPTY;
        locked = false;
        lockedAt = EMPTY;
        lockedByName = null;
    }

    void delete(long now) {
        deleted = true;
        deletedAt = now;
    }
}
