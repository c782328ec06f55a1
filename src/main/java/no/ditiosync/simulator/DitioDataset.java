package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The live, mutable data behind a {@link SimulatedDitio}: users, projects, time registrations,
 * absences and the payroll lines derived from the registrations ({@link PayrollDays}); the random
 * changes of {@code /_sim/mutate} are {@link RandomMutations}.
 * Thread-safe: reads and pages take a read lock, mutations a write lock, so a bulk mutation
 * (one timestamp for many records) is never seen half done.
 *
 * <p>Every mutation stamps {@code modifiedDateTime} with the config clock's now, truncated to
 * whole seconds. Generated data never uses the clock (see {@link DatasetGenerator}).
 */
public final class DitioDataset {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Clock clock;
    private final RecordTable<TimeRegistration> registrations = new RecordTable<>(RecordKeys.REGISTRATIONS);
    private final RecordTable<DitioUser> users = new RecordTable<>(RecordKeys.USERS);
    private final RecordTable<Absence> absences = new RecordTable<>(RecordKeys.ABSENCES);
    private final PayrollDays payrollDays;
    private final RecordTable<ProjectRow> projects = new RecordTable<>(RecordKeys.PROJECTS);
    private final Map<String, Integer> userSlotByIdentity = new HashMap<>();
    private final Map<String, Catalog.Worker> workerByIdentity = new HashMap<>();
    private final List<Catalog.Worker> workers;
    private final SplittableRandom ids;
    private final SplittableRandom absenceIds;
    private final LocalDate firstWorkDate;
    private final LocalDate lastWorkDate;

    private DitioDataset(DatasetGenerator.Generated generated, Clock clock) {
        this.clock = clock;
        this.workers = generated.workers();
        this.ids = generated.ids();
        this.absenceIds = generated.absenceIds();
        for (Absence a : generated.absences()) {
            absences.add(a);
        }
        for (ProjectRow p : ProjectRow.setUp(generated.projects(), generated.firstWorkDate())) {
            projects.add(p);
        }
        this.firstWorkDate = generated.firstWorkDate();
        this.lastWorkDate = generated.lastWorkDate();
        for (TimeRegistration r : generated.registrations()) {
            registrations.add(r);
        }
        for (DitioUser u : generated.users()) {
            userSlotByIdentity.put(u.identityUserId(), users.add(u));
        }
        for (Catalog.Worker w : workers) {
            workerByIdentity.put(w.identityUserId(), w);
        }
        this.payrollDays = new PayrollDays(registrations, generated.payrollRnd());
    }

    /** Generates the dataset of a config (seed, workers, weeks, lastWorkDate); mutations use its clock. */
    public static DitioDataset generate(SimulatorConfig config) {
        return new DitioDataset(DatasetGenerator.generate(config.seed(), config.workers(), config.weeks(),
                config.lastWorkDate()), config.clock());
    }

    // ------------------------------------------------------------------ reads

    /** The first generated work date (a weekday). */
    public LocalDate firstWorkDate() {
        return firstWorkDate;
    }

    public LocalDate lastWorkDate() {
        return lastWorkDate;
    }

    /** Registrations that are not deleted, in (workDate, id) order. */
    public List<TimeRegistration> liveTimeRegistrations() {
        return read(() -> registrations.all(false));
    }

    /** Live registrations with from &lt;= workDate &lt;= to (both inclusive), in (workDate, id) order. */
    public List<TimeRegistration> liveTimeRegistrations(LocalDate from, LocalDate to) {
        return liveTimeRegistrations().stream()
                .filter(r -> !r.workDate().isBefore(from) && !r.workDate().isAfter(to))
                .toList();
    }

    /** All registrations including tombstoned ones, in (workDate, id) order. */
    public List<TimeRegistration> allTimeRegistrations() {
        return read(() -> registrations.all(true));
    }

    /** Users in id order. */
    public List<DitioUser> users() {
        return read(() -> users.all(true));
    }

    public Optional<TimeRegistration> timeRegistration(String id) {
        return read(() -> registrations.byId(id));
    }

    public Optional<DitioUser> userByIdentityUserId(String identityUserId) {
        return read(() -> {
            Integer slot = userSlotByIdentity.get(identityUserId);
            return slot == null ? Optional.empty() : Optional.of(users.get(slot));
        });
    }

    /** Absences that are not deleted, in (date, id) order. */
    public List<Absence> liveAbsences() {
        return read(() -> absences.all(false));
    }

    /** All absences including tombstoned ones, in (date, id) order. */
    public List<Absence> allAbsences() {
        return read(() -> absences.all(true));
    }

    public Optional<Absence> absence(String id) {
        return read(() -> absences.byId(id));
    }

    /** Projects as /v1/project has them now, deleted ones included, in id order. */
    public List<ProjectRow> projects() {
        return read(() -> projects.all(true));
    }

    PageResult<ProjectRow> projectPage(PageQuery q) {
        return read(() -> projects.page(q));
    }

    /** Changes a project's number (registrations made before keep the old one on their rows). */
    public ProjectRow renumberProject(String id, String number) {
        return write(() -> changeLive(projects, "project", id, (p, now) -> p.renumbered(number, now)));
    }

    /** Deletes a project: incremental passes send its last version with isDeleted, full passes leave it out. */
    public ProjectRow deleteProject(String id) {
        return write(() -> changeLive(projects, "project", id, (p, now) -> p.asDeleted(now)));
    }

    /** Payroll lines that are not deleted, in (date, id) order. */
    public List<PayrollDay> livePayrollDays() {
        return read(() -> payrollDays.table().all(false));
    }

    PageResult<PayrollDay> payrollPage(PageQuery q) {
        return read(() -> payrollDays.table().page(q));
    }

    /** Registers (qty > 0) or removes (0 or null) a worker's manual overtime of a day that has registrations. */
    public PayrollDay setManualOvertime(String identityUserId, LocalDate date, BigDecimal qty) {
        return write(() -> payrollDays.setManualOvertime(workerByIdentity.get(identityUserId), identityUserId, date, qty,
                now()));
    }

    PageResult<Absence> absencePage(PageQuery q) {
        return read(() -> absences.page(q));
    }

    PageResult<TimeRegistration> timeRegistrationPage(PageQuery q) {
        return read(() -> registrations.page(q));
    }

    PageResult<DitioUser> userPage(PageQuery q) {
        return read(() -> users.page(q));
    }

    // ------------------------------------------------------------------ mutations

    /** Changes the hours of a live registration. */
    public TimeRegistration editHours(String id, BigDecimal qty) {
        checkHours(qty);
        return write(() -> change(id, (d, now) -> d.qty = qty));
    }

    /** Moves a live registration to another work date (written on the wrong day, corrected later). */
    public TimeRegistration moveWorkDate(String id, LocalDate day) {
        return write(() -> {
            TimeRegistration before = registrations.get(registrations.liveSlot(id, "time registration"));
            TimeRegistration moved = change(id, (d, now) -> d.workDate = day);
            payrollDays.registrationChanged(before, moved.modifiedEpochSecond());
            return moved;
        });
    }

    /** Changes the description of a live registration (free text the workers type: anything at all). */
    public TimeRegistration editDescription(String id, String description) {
        return write(() -> change(id, (d, now) -> d.description = description));
    }

    /** Foreman approval of one registration. */
    public TimeRegistration approve(String id) {
        return write(() -> change(id, (d, now) -> d.approve(now)));
    }

    /**
     * Payroll approval in bulk: all given registrations get the same modifiedDateTime and
     * payrollApprovedDateTime (unapproved ones are foreman-approved at the same instant).
     * All-or-nothing: an unknown or deleted id changes nothing.
     */
    public List<TimeRegistration> payrollApprove(Collection<String> ids) {
        return write(() -> {
            List<Integer> slots = new ArrayList<>();
            for (String id : new LinkedHashSet<>(ids)) {
                slots.add(registrations.liveSlot(id, "time registration"));
            }
            long now = now();
            List<TimeRegistration> changed = new ArrayList<>(slots.size());
            for (int slot : slots) {
                RegistrationDraft d = registrations.get(slot).toDraft();
                d.payrollApprove(now);
                d.modifiedAt = now;
                TimeRegistration next = d.build();
                registrations.replace(slot, next);
                changed.add(next);
            }
            changed.forEach(r -> payrollDays.registrationChanged(r, now));
            return changed;
        });
    }

    /** Clears approval, payroll approval and lock (an unapproved record cannot stay locked). */
    public TimeRegistration unapprove(String id) {
        return write(() -> change(id, (d, now) -> d.unapprove()));
    }

    /** Deletes a registration: from now on it is a tombstone in incremental passes and absent in full passes. */
    public TimeRegistration delete(String id) {
        return write(() -> change(id, (d, now) -> d.delete(now)));
    }

    /** A late registration, possibly with an old work date; created and modified now. */
    public TimeRegistration addRegistration(String identityUserId, LocalDate workDate, BigDecimal qty,
                                            boolean payrollApproved) {
        checkHours(qty);
        return write(() -> {
            Catalog.Worker worker = worker(identityUserId);
            long now = now();
            RegistrationDraft d = RegistrationDraft.late(ids, worker, workDate, qty, now);
            if (payrollApproved) {
                d.payrollApprove(now);
            }
            TimeRegistration r = d.build();
            int slot = registrations.add(r);
            payrollDays.registrationAdded(slot, r, now);
            return r;
        });
    }

    /** Changes the hours of a live absence. */
    public Absence editAbsenceHours(String id, BigDecimal qty) {
        checkHours(qty);
        return write(() -> changeLive(absences, "absence", id, (a, now) -> a.withQty(qty, now)));
    }

    /** Payroll approval of an absence (foreman approval too, if it had none). */
    public Absence payrollApproveAbsence(String id) {
        return write(() -> changeLive(absences, "absence", id, (a, now) -> a.withPayrollApproval(now)));
    }

    /** Clears approval, payroll approval and lock of an absence. */
    public Absence unapproveAbsence(String id) {
        return write(() -> changeLive(absences, "absence", id, (a, now) -> a.withoutApproval(now)));
    }

    /** Deletes an absence: a tombstone in incremental passes from now on, absent in full passes. */
    public Absence deleteAbsence(String id) {
        return write(() -> changeLive(absences, "absence", id, (a, now) -> a.asDeleted(now)));
    }

    /** A late absence, possibly on an old date; modified now. */
    public Absence addAbsence(String identityUserId, LocalDate date, String absenceTypeCode, BigDecimal qty,
                              boolean payrollApproved) {
        return write(() -> {
            Absence a = Absence.late(absenceIds, worker(identityUserId), date, absenceTypeCode, qty, payrollApproved,
                    now());
            absences.add(a);
            return a;
        });
    }

    /** Sets (or clears, with null) the department on the user row; its modifiedDateTime moves to now. */
    public DitioUser setDepartment(String identityUserId, String department) {
        return editUser(identityUserId, (user, now) -> user.withDepartment(department, now));
    }

    /** Sets (or clears, with null) the employee number on the user row; its modifiedDateTime moves to now. */
    public DitioUser setEmployeeNumber(String identityUserId, String employeeNumber) {
        return editUser(identityUserId, (user, now) -> user.withEmployeeNumber(employeeNumber, now));
    }

    private DitioUser editUser(String identityUserId, BiFunction<DitioUser, Instant, DitioUser> edit) {
        return write(() -> {
            Integer slot = userSlotByIdentity.get(identityUserId);
            if (slot == null) {
                throw new NoSuchElementException("no user with identityUserId " + identityUserId);
            }
            DitioUser next = edit.apply(users.get(slot), Instant.ofEpochSecond(now()));
            users.replace(slot, next);
            return next;
        });
    }

    /**
     * Applies {@code count} random changes (hour edits in quarter hours, approvals, bulk payroll
     * approvals, un-approvals, deletions, late registrations inside the generated window, employee
     * number changes) as one atomic batch, and describes each in a line.
     */
    public List<String> randomMutations(Random rnd, int count) {
        return write(() -> new RandomMutations(this, rnd, registrations, absences, payrollDays, workers).apply(count));
    }

    // ------------------------------------------------------------------ helpers

    private interface Change {
        void apply(RegistrationDraft draft, long now);
    }

    private TimeRegistration change(String id, Change change) {
        TimeRegistration next = changeLive(registrations, "time registration", id, (r, now) -> {
            RegistrationDraft d = r.toDraft();
            change.apply(d, now);
            d.modifiedAt = now;
            return d.build();
        });
        payrollDays.registrationChanged(next, next.modifiedEpochSecond());
        return next;
    }

    /** Replaces a live record by its changed version, stamped now. */
    private <T> T changeLive(RecordTable<T> table, String what, String id, BiFunction<T, Long, T> change) {
        int slot = table.liveSlot(id, what);
        T next = change.apply(table.get(slot), now());
        table.replace(slot, next);
        return next;
    }

    private Catalog.Worker worker(String identityUserId) {
        Catalog.Worker worker = workerByIdentity.get(identityUserId);
        if (worker == null) {
            throw new NoSuchElementException("no user with identityUserId " + identityUserId);
        }
        return worker;
    }

    private static void checkHours(BigDecimal qty) {
        if (qty == null || qty.signum() < 0 || qty.compareTo(BigDecimal.valueOf(24)) > 0) {
            throw new IllegalArgumentException("qty must be between 0 and 24 hours, was " + qty);
        }
    }

    /** Now, in whole seconds: the stamp of every change. */
    long now() {
        return clock.instant().getEpochSecond();
    }

    private <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private <T> T write(Supplier<T> body) {
        lock.writeLock().lock();
        try {
            return body.get();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
