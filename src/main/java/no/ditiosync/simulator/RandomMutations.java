package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The random changes of {@code /_sim/mutate} (and of tests that change data between runs): hour
 * edits in quarter hours, approvals, bulk payroll approvals, un-approvals, deletions, late
 * registrations inside the generated window, employee number changes, absence changes and manual
 * overtime. Runs inside the dataset's write lock; the same seed on the same data gives the same changes.
 */
final class RandomMutations {

    private final DitioDataset data;
    private final Random rnd;
    private final RecordTable<TimeRegistration> registrations;
    private final RecordTable<Absence> absences;
    private final PayrollDays payrollDays;
    private final List<Catalog.Worker> workers;

    RandomMutations(DitioDataset data, Random rnd, RecordTable<TimeRegistration> registrations,
                    RecordTable<Absence> absences, PayrollDays payrollDays, List<Catalog.Worker> workers) {
        this.data = data;
        this.rnd = rnd;
        this.registrations = registrations;
        this.absences = absences;
        this.payrollDays = payrollDays;
        this.workers = workers;
    }

    /** Applies {@code count} random changes and describes each in a line. */
    List<String> apply(int count) {
        List<String> done = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            done.add(randomMutation());
        }
        return done;
    }

    private String randomMutation() {
        if (rnd.nextInt(100) < 15) {
            return randomAbsenceMutation();
        }
        if (rnd.nextInt(100) < 6) {
            return randomManualOvertime();
        }
        int roll = rnd.nextInt(100);
        if (roll < 30) {
            return randomEdit();
        }
        if (roll < 45) {
            TimeRegistration r = randomRegistration(x -> !x.approved());
            if (r != null) {
                data.approve(r.id());
                return "approve " + describe(r);
            }
            return randomEdit();
        }
        if (roll < 55) {
            return randomPayrollApproval();
        }
        if (roll < 63) {
            TimeRegistration r = randomRegistration(TimeRegistration::approved);
            if (r != null) {
                data.unapprove(r.id());
                return "unapprove " + describe(r);
            }
            return randomEdit();
        }
        if (roll < 75) {
            TimeRegistration r = randomRegistration(x -> true);
            if (r != null) {
                data.delete(r.id());
                return "delete " + describe(r);
            }
            return "nothing to delete";
        }
        if (roll < 95) {
            Catalog.Worker worker = randomWorker();
            LocalDate day = randomWorkDay();
            BigDecimal qty = DatasetGenerator.quarters(2 + rnd.nextInt(31));
            boolean payroll = rnd.nextInt(100) < 20;
            TimeRegistration r = data.addRegistration(worker.identityUserId(), day, qty, payroll);
            return "add " + describe(r) + (payroll ? " (payroll-approved)" : "");
        }
        return randomEmployeeNumberChange();
    }

    private String randomPayrollApproval() {
        List<String> batch = new ArrayList<>();
        int wanted = 1 + rnd.nextInt(60);
        for (int tries = 0; tries < wanted * 20 && batch.size() < wanted; tries++) {
            TimeRegistration r = randomRegistration(x -> x.approved() && !x.payrollApproved());
            if (r != null && !batch.contains(r.id())) {
                batch.add(r.id());
            }
        }
        if (!batch.isEmpty()) {
            data.payrollApprove(batch);
            return "payroll-approve " + batch.size() + " registrations at one timestamp";
        }
        return randomEdit();
    }

    /** Absences change as registrations do: hours, approvals, un-approvals, deletions, late ones. */
    private String randomAbsenceMutation() {
        int roll = rnd.nextInt(100);
        Absence a = randomAbsence(roll < 25 ? x -> true : roll < 50 ? x -> !x.payrollApproved()
                : roll < 65 ? Absence::approved : x -> true);
        if (roll < 80 && a == null) {
            return "no absence to change";
        }
        if (roll < 25) {
            BigDecimal qty = DatasetGenerator.quarters(1 + rnd.nextInt(32));
            data.editAbsenceHours(a.id(), qty);
            return "edit absence " + describe(a) + ": " + a.qty().toPlainString() + " -> " + qty.toPlainString() + " h";
        }
        if (roll < 50) {
            data.payrollApproveAbsence(a.id());
            return "payroll-approve absence " + describe(a);
        }
        if (roll < 65) {
            data.unapproveAbsence(a.id());
            return "unapprove absence " + describe(a);
        }
        if (roll < 80) {
            data.deleteAbsence(a.id());
            return "delete absence " + describe(a);
        }
        Catalog.Worker worker = randomWorker();
        Absence.Type type = DatasetGenerator.ABSENCE_TYPES.get(rnd.nextInt(DatasetGenerator.ABSENCE_TYPES.size()));
        boolean payroll = rnd.nextInt(100) < 40;
        Absence added = data.addAbsence(worker.identityUserId(), randomWorkDay(), type.code(),
                DatasetGenerator.quarters(4 + rnd.nextInt(27)), payroll);
        return "add absence " + describe(added) + (payroll ? " (payroll-approved)" : "");
    }

    /** A manual overtime registered on, or taken off, a random worker-day with registrations. */
    private String randomManualOvertime() {
        PayrollDay p = randomOf(payrollDays.table(), d -> !d.deleted());
        if (p == null) {
            return "no payroll line to change";
        }
        BigDecimal qty = p.manualOvertime() == null ? DatasetGenerator.quarters(2 + rnd.nextInt(10)) : null;
        payrollDays.refresh(p.worker(), p.date(), qty, data.now());
        return "manual overtime of " + p.worker().name() + " on " + p.date() + ": "
                + (qty == null ? "removed" : qty.toPlainString() + " h");
    }

    private String randomEdit() {
        TimeRegistration r = randomRegistration(x -> true);
        if (r == null) {
            return "nothing to edit";
        }
        BigDecimal qty = DatasetGenerator.quarters(1 + rnd.nextInt(40));
        data.editHours(r.id(), qty);
        return "edit " + describe(r) + ": " + r.qty().toPlainString() + " -> " + qty.toPlainString() + " h";
    }

    private String randomEmployeeNumberChange() {
        List<DitioUser> all = data.users();
        DitioUser user = all.stream().filter(u -> u.employeeNumber() == null).findFirst()
                .orElse(all.get(rnd.nextInt(all.size())));
        String number = String.valueOf(5001 + rnd.nextInt(4000));
        data.setEmployeeNumber(user.identityUserId(), number);
        return "employee number of " + user.name() + " (" + user.identityUserId() + "): "
                + user.employeeNumber() + " -> " + number;
    }

    private Catalog.Worker randomWorker() {
        return workers.get(rnd.nextInt(workers.size()));
    }

    private LocalDate randomWorkDay() {
        LocalDate first = data.firstWorkDate();
        long span = data.lastWorkDate().toEpochDay() - first.toEpochDay() + 1;
        LocalDate day = first.plusDays(rnd.nextInt((int) span));
        while (day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY) {
            day = day.minusDays(1);
        }
        return day.isBefore(first) ? first : day;
    }

    /** A random live registration matching the predicate, or null after a bounded number of tries. */
    private TimeRegistration randomRegistration(Predicate<TimeRegistration> wanted) {
        return randomOf(registrations, r -> !r.isDeleted() && wanted.test(r));
    }

    private Absence randomAbsence(Predicate<Absence> wanted) {
        return randomOf(absences, a -> !a.deleted() && wanted.test(a));
    }

    /** A random record of a table matching the predicate, or null after a bounded number of tries. */
    private <T> T randomOf(RecordTable<T> table, Predicate<T> wanted) {
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

    private static String describe(Absence a) {
        return a.id() + " (" + a.worker().name() + ", " + a.date() + ", " + a.absenceTypeCode() + ", "
                + a.qty().toPlainString() + " h)";
    }
}
