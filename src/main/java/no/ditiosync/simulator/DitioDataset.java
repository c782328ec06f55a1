package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DayOfWeek;
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
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The live, mutable data behind a {@link SimulatedDitio}: users, time registrations and absences.
 * Thread-safe: reads and pages take a read lock, mutations a write lock, so a bulk mutation
 * (one timestamp for many records) is never seen half done.
 *
 * <p>Every mutation stamps {@code modifiedDateTime} with the config clock's now, truncated to
 * whole seconds. Generated data never uses the clock (see {@link DatasetGenerator}).
 */
public final class DitioDataset {

    private static final RecordTable.Keys<TimeRegistration> REGISTRATION_KEYS = new RecordTable.Keys<>() {
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

    private static final RecordTable.Keys<DitioUser> USER_KEYS = new RecordTable.Keys<>() {
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

    private static final RecordTable.Keys<Absence> ABSENCE_KEYS = RecordTable.keys(Absence::idHi, Absence::idLo,
            a -> a.date().toEpochDay(), Absence::modifiedAt, Absence::deleted);

    // metadata: no date window, full mode orders by id only; a deletion is a change, though the row
    // shows the last change before it
    private static final RecordTable.Keys<ProjectRow> PROJECT_KEYS = RecordTable.keys(ProjectRow::idHi, ProjectRow::idLo,
            p -> 0, ProjectRow::changedAt, ProjectRow::deleted);

    private static final RecordTable.Keys<PayrollDay> PAYROLL_KEYS = RecordTable.keys(PayrollDay::idHi, PayrollDay::idLo,
            p -> p.date().toEpochDay(), PayrollDay::modifiedAt, PayrollDay::deleted);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Clock clock;
    private final RecordTable<TimeRegistration> registrations = new RecordTable<>(REGISTRATION_KEYS);
    private final RecordTable<DitioUser> users = new RecordTable<>(USER_KEYS);
    private final RecordTable<Absence> absences = new RecordTable<>(ABSENCE_KEYS);
    private final RecordTable<PayrollDay> payrollDays = new RecordTable<>(PAYROLL_KEYS);
    /** userId|date → the slots of that worker's registrations of that day, and of the day's payroll line. */
    private final Map<Long, List<Integer>> registrationSlotsByDay = new HashMap<>();
    private final Map<Long, Integer> payrollSlotByDay = new HashMap<>();
    private final SplittableRandom payrollRnd;
    private final RecordTable<ProjectRow> projects = new RecordTable<>(PROJECT_KEYS);
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
        this.payrollRnd = generated.payrollRnd();
        for (Absence a : generated.absences()) {
            absences.add(a);
        }
        // set up in Ditio well before the first work date, one a day, unchanged since
        List<Catalog.Project> catalog = generated.projects();
        long created = generated.firstWorkDate().minusDays(200).atTime(10, 0).atZone(DatasetGenerator.OSLO).toEpochSecond();
        for (int i = 0; i < catalog.size(); i++) {
            Catalog.Project p = catalog.get(i);
            projects.add(new ProjectRow(p, p.number(), p.name(), true, created + i * 86_400L, created + i * 86_400L, false,
                    TimeRegistration.EMPTY));
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
        derivePayrollDays();
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
        return read(() -> {
            int slot = registrationSlot(id);
            return slot < 0 ? Optional.empty() : Optional.of(registrations.get(slot));
        });
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
        return read(() -> {
            int slot = slotOf(absences, id);
            return slot < 0 ? Optional.empty() : Optional.of(absences.get(slot));
        });
    }

    /** Projects as /v1/project has them now, deleted ones included, in id order. */
    public List<ProjectRow> projects() {
        return read(() -> projects.all(true));
    }

    PageResult<ProjectRow> projectPage(PageQuery q) {
        return read(() -> page(projects, q));
    }

    /** Changes a project's number (registrations made before keep the old one on their rows). */
    public ProjectRow renumberProject(String id, String number) {
        return write(() -> {
            int slot = liveProjectSlot(id);
            ProjectRow next = projects.get(slot).renumbered(number, now());
            projects.replace(slot, next);
            return next;
        });
    }

    /** Deletes a project: incremental passes send its last version with isDeleted, full passes leave it out. */
    public ProjectRow deleteProject(String id) {
        return write(() -> {
            int slot = liveProjectSlot(id);
            ProjectRow next = projects.get(slot).asDeleted(now());
            projects.replace(slot, next);
            return next;
        });
    }

    private int liveProjectSlot(String id) {
        int slot = slotOf(projects, id);
        if (slot < 0) {
            throw new NoSuchElementException("no project with id " + id);
        }
        if (projects.get(slot).deleted()) {
            throw new IllegalStateException("project " + id + " is deleted");
        }
        return slot;
    }

    /** Payroll lines that are not deleted, in (date, id) order. */
    public List<PayrollDay> livePayrollDays() {
        return read(() -> payrollDays.all(false));
    }

    PageResult<PayrollDay> payrollPage(PageQuery q) {
        return read(() -> page(payrollDays, q));
    }

    /** Registers (qty > 0) or removes (0 or null) a worker's manual overtime of a day that has registrations. */
    public PayrollDay setManualOvertime(String identityUserId, LocalDate date, BigDecimal qty) {
        return write(() -> {
            Catalog.Worker worker = workerByIdentity.get(identityUserId);
            Integer slot = worker == null ? null : payrollSlotByDay.get(dayKey(worker, date));
            if (slot == null || payrollDays.get(slot).deleted()) {
                throw new NoSuchElementException("no payroll line of " + identityUserId + " on " + date);
            }
            PayrollDay p = payrollDays.get(slot);
            return refreshPayrollDay(p.worker(), date, qty, now());
        });
    }

    /**
     * The generated payroll lines: one per worker and day with registrations, modified when the last
     * of them was; about 3 in 100 with a manual overtime paid on top.
     */
    private void derivePayrollDays() {
        for (int slot = 0; slot < registrations.size(); slot++) {
            TimeRegistration r = registrations.get(slot);
            registrationSlotsByDay.computeIfAbsent(dayKey(r.worker(), r.workDate()), k -> new ArrayList<>()).add(slot);
        }
        List<Long> keys = new ArrayList<>(registrationSlotsByDay.keySet());
        java.util.Collections.sort(keys);
        for (Long key : keys) {
            List<TimeRegistration> live = new ArrayList<>();
            long modified = 0;
            for (int slot : registrationSlotsByDay.get(key)) {
                live.add(registrations.get(slot));
                modified = Math.max(modified, registrations.get(slot).modifiedEpochSecond());
            }
            TimeRegistration first = live.get(0);
            BigDecimal manual = payrollRnd.nextInt(100) < 3 ? DatasetGenerator.quarters(4 + payrollRnd.nextInt(5)) : null;
            PayrollDay day = PayrollDay.derive(Guids.nextHi(payrollRnd), Guids.nextLo(payrollRnd),
                    first.worker(), first.workDate(), live, manual, modified);
            payrollSlotByDay.put(key, payrollDays.add(day));
        }
    }

    /**
     * Brings a worker's payroll line of a day in line with the day's live registrations (Ditio
     * recalculates it on every change): a new version, modified now, only when its content changed;
     * a day left without registrations becomes a tombstone, and comes back under its id.
     */
    private PayrollDay refreshPayrollDay(Catalog.Worker worker, LocalDate date, BigDecimal manual, long now) {
        long key = dayKey(worker, date);
        List<TimeRegistration> live = new ArrayList<>();
        for (int slot : registrationSlotsByDay.getOrDefault(key, List.of())) {
            if (!registrations.get(slot).isDeleted()) {
                live.add(registrations.get(slot));
            }
        }
        Integer slot = payrollSlotByDay.get(key);
        PayrollDay old = slot == null ? null : payrollDays.get(slot);
        if (old == null && live.isEmpty()) {
            return null;
        }
        PayrollDay next = PayrollDay.derive(old == null ? Guids.nextHi(payrollRnd) : old.idHi(),
                old == null ? Guids.nextLo(payrollRnd) : old.idLo(), worker, date, live, manual, now);
        if (old == null) {
            payrollSlotByDay.put(key, payrollDays.add(next));
        } else if (!next.sameContent(old) || (old.manualOvertime() == null ? manual != null : !old.manualOvertime().equals(manual))) {
            payrollDays.replace(slot, next);
        } else {
            return old;
        }
        return next;
    }

    /** After a registration changed: its day's payroll line follows, keeping the day's manual overtime. */
    private void registrationChanged(TimeRegistration r, long now) {
        Integer slot = payrollSlotByDay.get(dayKey(r.worker(), r.workDate()));
        BigDecimal manual = slot == null ? null : payrollDays.get(slot).manualOvertime();
        refreshPayrollDay(workerByIdentity.get(r.userId()), r.workDate(), manual, now);
    }

    /** A worker's day as one number (worker index, epoch day): a large dataset has a million of these. */
    private static long dayKey(Catalog.Worker worker, LocalDate date) {
        return ((long) worker.index() << 32) | (date.toEpochDay() & 0xFFFF_FFFFL);
    }

    PageResult<Absence> absencePage(PageQuery q) {
        return read(() -> page(absences, q));
    }

    PageResult<TimeRegistration> timeRegistrationPage(PageQuery q) {
        return read(() -> page(registrations, q));
    }

    PageResult<DitioUser> userPage(PageQuery q) {
        return read(() -> page(users, q));
    }

    private static <T> PageResult<T> page(RecordTable<T> table, PageQuery q) {
        if (q.mode == ContinuationTokens.Mode.FULL) {
            return table.fullPage(q.fromDay, q.toDay, q.after, q.chunkLimit);
        }
        Long afterSecond = q.after == null ? null : q.after.afterSecond();
        return table.incrementalPage(q.sinceSecond, q.beforeSecond, afterSecond, q.fromDay, q.toDay, q.chunkLimit);
    }

    // ------------------------------------------------------------------ mutations

    /** Changes the hours of a live registration. */
    public TimeRegistration editHours(String id, BigDecimal qty) {
        if (qty == null || qty.signum() < 0 || qty.compareTo(BigDecimal.valueOf(24)) > 0) {
            throw new IllegalArgumentException("qty must be between 0 and 24 hours, was " + qty);
        }
        return write(() -> change(id, (d, now) -> d.qty = qty));
    }

    /** Changes the description of a live registration (free text the workers type: anything at all). */
    public TimeRegistration editDescription(String id, String description) {
        return write(() -> change(id, (d, now) -> d.description = description));
    }

    /** Foreman approval of one registration. */
    public TimeRegistration approve(String id) {
        return write(() -> change(id, (d, now) -> markApproved(d, now)));
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
                slots.add(liveSlot(id));
            }
            long now = now();
            List<TimeRegistration> changed = new ArrayList<>(slots.size());
            for (int slot : slots) {
                TimeRegistration.Draft d = registrations.get(slot).toDraft();
                if (!d.approved) {
                    markApproved(d, now);
                }
                d.payrollApproved = true;
                d.payrollApprovedAt = now;
                d.modifiedAt = now;
                TimeRegistration next = d.build();
                registrations.replace(slot, next);
                changed.add(next);
            }
            changed.forEach(r -> registrationChanged(r, now));
            return changed;
        });
    }

    /** Clears approval, payroll approval and lock (an unapproved record cannot stay locked). */
    public TimeRegistration unapprove(String id) {
        return write(() -> change(id, (d, now) -> {
            d.approved = false;
            d.approvedAt = TimeRegistration.EMPTY;
            d.approvedByName = null;
            d.payrollApproved = false;
            d.payrollApprovedAt = TimeRegistration.EMPTY;
            d.locked = false;
            d.lockedAt = TimeRegistration.EMPTY;
            d.lockedByName = null;
        }));
    }

    /** Deletes a registration: from now on it is a tombstone in incremental passes and absent in full passes. */
    public TimeRegistration delete(String id) {
        return write(() -> change(id, (d, now) -> {
            d.deleted = true;
            d.deletedAt = now;
        }));
    }

    /** A late registration, possibly with an old work date; created and modified now. */
    public TimeRegistration addRegistration(String identityUserId, LocalDate workDate, BigDecimal qty,
                                            boolean payrollApproved) {
        if (qty == null || qty.signum() < 0 || qty.compareTo(BigDecimal.valueOf(24)) > 0) {
            throw new IllegalArgumentException("qty must be between 0 and 24 hours, was " + qty);
        }
        return write(() -> {
            Catalog.Worker worker = workerByIdentity.get(identityUserId);
            if (worker == null) {
                throw new NoSuchElementException("no user with identityUserId " + identityUserId);
            }
            long now = now();
            TimeRegistration.Draft d = new TimeRegistration.Draft();
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
            if (payrollApproved) {
                markApproved(d, now);
                d.payrollApproved = true;
                d.payrollApprovedAt = now;
            }
            TimeRegistration r = d.build();
            int slot = registrations.add(r);
            registrationSlotsByDay.computeIfAbsent(dayKey(r.worker(), r.workDate()), k -> new ArrayList<>()).add(slot);
            registrationChanged(r, now);
            return r;
        });
    }

    /** Changes the hours of a live absence. */
    public Absence editAbsenceHours(String id, BigDecimal qty) {
        if (qty == null || qty.signum() < 0 || qty.compareTo(BigDecimal.valueOf(24)) > 0) {
            throw new IllegalArgumentException("qty must be between 0 and 24 hours, was " + qty);
        }
        return write(() -> changeAbsence(id, (a, now) -> a.withQty(qty, now)));
    }

    /** Payroll approval of an absence (foreman approval too, if it had none). */
    public Absence payrollApproveAbsence(String id) {
        return write(() -> changeAbsence(id, (a, now) -> a.withPayrollApproval(now)));
    }

    /** Clears approval, payroll approval and lock of an absence. */
    public Absence unapproveAbsence(String id) {
        return write(() -> changeAbsence(id, (a, now) -> a.withoutApproval(now)));
    }

    /** Deletes an absence: a tombstone in incremental passes from now on, absent in full passes. */
    public Absence deleteAbsence(String id) {
        return write(() -> changeAbsence(id, (a, now) -> a.asDeleted(now)));
    }

    /** A late absence, possibly on an old date; modified now. */
    public Absence addAbsence(String identityUserId, LocalDate date, String absenceTypeCode, BigDecimal qty,
                              boolean payrollApproved) {
        Absence.Type type = DatasetGenerator.ABSENCE_TYPES.stream().filter(t -> t.code().equals(absenceTypeCode))
                .findFirst().orElseGet(() -> new Absence.Type(Guids.toString(absenceTypeCode.hashCode(), 1L << 63),
                        absenceTypeCode, absenceTypeCode));
        return write(() -> {
            Catalog.Worker worker = workerByIdentity.get(identityUserId);
            if (worker == null) {
                throw new NoSuchElementException("no user with identityUserId " + identityUserId);
            }
            long now = now();
            long none = TimeRegistration.EMPTY;
            Absence a = new Absence(Guids.nextHi(absenceIds), Guids.nextLo(absenceIds), null, date,
                    date.atTime(7, 0).atZone(DatasetGenerator.OSLO).toEpochSecond(), qty, type, worker, null,
                    payrollApproved, payrollApproved ? now : none, payrollApproved, payrollApproved ? now : none,
                    false, none, now, false, none);
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

    private DitioUser editUser(String identityUserId, java.util.function.BiFunction<DitioUser, java.time.Instant, DitioUser> edit) {
        return write(() -> {
            Integer slot = userSlotByIdentity.get(identityUserId);
            if (slot == null) {
                throw new NoSuchElementException("no user with identityUserId " + identityUserId);
            }
            DitioUser next = edit.apply(users.get(slot), java.time.Instant.ofEpochSecond(now()));
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
        return write(() -> {
            List<String> done = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                done.add(randomMutation(rnd));
            }
            return done;
        });
    }

    private String randomMutation(Random rnd) {
        if (rnd.nextInt(100) < 15) {
            return randomAbsenceMutation(rnd);
        }
        if (rnd.nextInt(100) < 6) {
            return randomManualOvertime(rnd);
        }
        int roll = rnd.nextInt(100);
        if (roll < 30) {
            return randomEdit(rnd);
        }
        if (roll < 45) {
            TimeRegistration r = randomRegistration(rnd, x -> !x.approved());
            if (r != null) {
                approve(r.id());
                return "approve " + describe(r);
            }
            return randomEdit(rnd);
        }
        if (roll < 55) {
            List<String> batch = new ArrayList<>();
            int wanted = 1 + rnd.nextInt(60);
            for (int tries = 0; tries < wanted * 20 && batch.size() < wanted; tries++) {
                TimeRegistration r = randomRegistration(rnd, x -> x.approved() && !x.payrollApproved());
                if (r != null && !batch.contains(r.id())) {
                    batch.add(r.id());
                }
            }
            if (!batch.isEmpty()) {
                payrollApprove(batch);
                return "payroll-approve " + batch.size() + " registrations at one timestamp";
            }
            return randomEdit(rnd);
        }
        if (roll < 63) {
            TimeRegistration r = randomRegistration(rnd, TimeRegistration::approved);
            if (r != null) {
                unapprove(r.id());
                return "unapprove " + describe(r);
            }
            return randomEdit(rnd);
        }
        if (roll < 75) {
            TimeRegistration r = randomRegistration(rnd, x -> true);
            if (r != null) {
                delete(r.id());
                return "delete " + describe(r);
            }
            return "nothing to delete";
        }
        if (roll < 95) {
            Catalog.Worker worker = workers.get(rnd.nextInt(workers.size()));
            LocalDate day = randomWorkDay(rnd);
            BigDecimal qty = DatasetGenerator.quarters(2 + rnd.nextInt(31));
            boolean payroll = rnd.nextInt(100) < 20;
            TimeRegistration r = addRegistration(worker.identityUserId(), day, qty, payroll);
            return "add " + describe(r) + (payroll ? " (payroll-approved)" : "");
        }
        return randomEmployeeNumberChange(rnd);
    }

    /** Absences change as registrations do: hours, approvals, un-approvals, deletions, late ones. */
    private String randomAbsenceMutation(Random rnd) {
        int roll = rnd.nextInt(100);
        Absence a = randomAbsence(rnd, roll < 25 ? x -> true : roll < 50 ? x -> !x.payrollApproved()
                : roll < 65 ? Absence::approved : x -> true);
        if (roll < 80 && a == null) {
            return "no absence to change";
        }
        if (roll < 25) {
            BigDecimal qty = DatasetGenerator.quarters(1 + rnd.nextInt(32));
            editAbsenceHours(a.id(), qty);
            return "edit absence " + describe(a) + ": " + a.qty().toPlainString() + " -> " + qty.toPlainString() + " h";
        }
        if (roll < 50) {
            payrollApproveAbsence(a.id());
            return "payroll-approve absence " + describe(a);
        }
        if (roll < 65) {
            unapproveAbsence(a.id());
            return "unapprove absence " + describe(a);
        }
        if (roll < 80) {
            deleteAbsence(a.id());
            return "delete absence " + describe(a);
        }
        Catalog.Worker worker = workers.get(rnd.nextInt(workers.size()));
        Absence.Type type = DatasetGenerator.ABSENCE_TYPES.get(rnd.nextInt(DatasetGenerator.ABSENCE_TYPES.size()));
        boolean payroll = rnd.nextInt(100) < 40;
        Absence added = addAbsence(worker.identityUserId(), randomWorkDay(rnd), type.code(),
                DatasetGenerator.quarters(4 + rnd.nextInt(27)), payroll);
        return "add absence " + describe(added) + (payroll ? " (payroll-approved)" : "");
    }

    /** A manual overtime registered on, or taken off, a random worker-day with registrations. */
    private String randomManualOvertime(Random rnd) {
        PayrollDay p = randomOf(payrollDays, rnd, d -> !d.deleted());
        if (p == null) {
            return "no payroll line to change";
        }
        BigDecimal qty = p.manualOvertime() == null ? DatasetGenerator.quarters(2 + rnd.nextInt(10)) : null;
        refreshPayrollDay(p.worker(), p.date(), qty, now());
        return "manual overtime of " + p.worker().name() + " on " + p.date() + ": "
                + (qty == null ? "removed" : qty.toPlainString() + " h");
    }

    private Absence randomAbsence(Random rnd, Predicate<Absence> wanted) {
        return randomOf(absences, rnd, a -> !a.deleted() && wanted.test(a));
    }

    private static String describe(Absence a) {
        return a.id() + " (" + a.worker().name() + ", " + a.date() + ", " + a.absenceTypeCode() + ", "
                + a.qty().toPlainString() + " h)";
    }

    private interface AbsenceChange {
        Absence apply(Absence current, long now);
    }

    private Absence changeAbsence(String id, AbsenceChange change) {
        int slot = slotOf(absences, id);
        if (slot < 0) {
            throw new NoSuchElementException("no absence with id " + id);
        }
        if (absences.get(slot).deleted()) {
            throw new IllegalStateException("absence " + id + " is deleted");
        }
        Absence next = change.apply(absences.get(slot), now());
        absences.replace(slot, next);
        return next;
    }

    private String randomEdit(Random rnd) {
        TimeRegistration r = randomRegistration(rnd, x -> true);
        if (r == null) {
            return "nothing to edit";
        }
        BigDecimal qty = DatasetGenerator.quarters(1 + rnd.nextInt(40));
        editHours(r.id(), qty);
        return "edit " + describe(r) + ": " + r.qty().toPlainString() + " -> " + qty.toPlainString() + " h";
    }

    private String randomEmployeeNumberChange(Random rnd) {
        List<DitioUser> all = users.all(true);
        DitioUser user = all.stream().filter(u -> u.employeeNumber() == null).findFirst()
                .orElse(all.get(rnd.nextInt(all.size())));
        String number = String.valueOf(5001 + rnd.nextInt(4000));
        setEmployeeNumber(user.identityUserId(), number);
        return "employee number of " + user.name() + " (" + user.identityUserId() + "): "
                + user.employeeNumber() + " -> " + number;
    }

    private LocalDate randomWorkDay(Random rnd) {
        long span = lastWorkDate.toEpochDay() - firstWorkDate.toEpochDay() + 1;
        LocalDate day = firstWorkDate.plusDays(rnd.nextInt((int) span));
        while (day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY) {
            day = day.minusDays(1);
        }
        return day.isBefore(firstWorkDate) ? firstWorkDate : day;
    }

    /** A random live registration matching the predicate, or null after a bounded number of tries. */
    private TimeRegistration randomRegistration(Random rnd, Predicate<TimeRegistration> wanted) {
        return randomOf(registrations, rnd, r -> !r.isDeleted() && wanted.test(r));
    }

    /** A random record of a table matching the predicate, or null after a bounded number of tries. */
    private static <T> T randomOf(RecordTable<T> table, Random rnd, Predicate<T> wanted) {
        int size = table.size();
        for (int tries = 0; tries < 200 && size > 0; tries++) {
            T r = table.get(rnd.nextInt(size));
            if (wanted.test(r)) {
                return r;
            }
        }
        return null;
    }

    private static String describe(TimeRegistration r) {
        return r.id() + " (" + r.userName() + ", " + r.workDate() + ", " + r.qty().toPlainString() + " h)";
    }

    // ------------------------------------------------------------------ helpers

    private interface Change {
        void apply(TimeRegistration.Draft draft, long now);
    }

    private TimeRegistration change(String id, Change change) {
        int slot = liveSlot(id);
        long now = now();
        TimeRegistration.Draft d = registrations.get(slot).toDraft();
        change.apply(d, now);
        d.modifiedAt = now;
        TimeRegistration next = d.build();
        registrations.replace(slot, next);
        registrationChanged(next, now);
        return next;
    }

    private static void markApproved(TimeRegistration.Draft d, long now) {
        d.approved = true;
        d.approvedAt = now;
        d.approvedByName = d.worker.foremanName();
    }

    private int liveSlot(String id) {
        int slot = registrationSlot(id);
        if (slot < 0) {
            throw new NoSuchElementException("no time registration with id " + id);
        }
        if (registrations.get(slot).isDeleted()) {
            throw new IllegalStateException("time registration " + id + " is deleted");
        }
        return slot;
    }

    private int registrationSlot(String id) {
        return slotOf(registrations, id);
    }

    private static int slotOf(RecordTable<?> table, String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            return -1;
        }
        return table.find(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    private long now() {
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
