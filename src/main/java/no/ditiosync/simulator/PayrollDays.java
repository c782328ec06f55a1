package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The payroll lines of a {@link DitioDataset}: one per worker and day with registrations, which
 * Ditio recalculates from the day's live registrations on every change. Not thread-safe: the
 * dataset's lock guards it with the registrations it reads.
 */
final class PayrollDays {

    private final RecordTable<PayrollDay> table = new RecordTable<>(RecordKeys.PAYROLL_DAYS);
    private final RecordTable<TimeRegistration> registrations;
    /** userId|date → the slots of that worker's registrations of that day, and of the day's payroll line. */
    private final Map<Long, List<Integer>> registrationSlotsByDay = new HashMap<>();
    private final Map<Long, Integer> payrollSlotByDay = new HashMap<>();
    private final SplittableRandom rnd;

    /**
     * The generated payroll lines: one per worker and day with registrations, modified when the last
     * of them was; about 3 in 100 with a manual overtime paid on top.
     */
    PayrollDays(RecordTable<TimeRegistration> registrations, SplittableRandom rnd) {
        this.registrations = registrations;
        this.rnd = rnd;
        for (int slot = 0; slot < registrations.size(); slot++) {
            TimeRegistration r = registrations.get(slot);
            registrationSlotsByDay.computeIfAbsent(dayKey(r.worker(), r.workDate()), k -> new ArrayList<>()).add(slot);
        }
        List<Long> keys = new ArrayList<>(registrationSlotsByDay.keySet());
        Collections.sort(keys);
        for (Long key : keys) {
            List<TimeRegistration> live = new ArrayList<>();
            long modified = 0;
            for (int slot : registrationSlotsByDay.get(key)) {
                live.add(registrations.get(slot));
                modified = Math.max(modified, registrations.get(slot).modifiedEpochSecond());
            }
            TimeRegistration first = live.get(0);
            BigDecimal manual = rnd.nextInt(100) < 3 ? DatasetGenerator.quarters(4 + rnd.nextInt(5)) : null;
            PayrollDay day = PayrollDay.derive(Guids.nextHi(rnd), Guids.nextLo(rnd),
                    first.worker(), first.workDate(), live, manual, modified);
            payrollSlotByDay.put(key, table.add(day));
        }
    }

    RecordTable<PayrollDay> table() {
        return table;
    }

    /** Registers (qty > 0) or removes (0 or null) a worker's manual overtime of a day that has registrations. */
    PayrollDay setManualOvertime(Catalog.Worker worker, String identityUserId, LocalDate date, BigDecimal qty, long now) {
        Integer slot = worker == null ? null : payrollSlotByDay.get(dayKey(worker, date));
        if (slot == null || table.get(slot).deleted()) {
            throw new NoSuchElementException("no payroll line of " + identityUserId + " on " + date);
        }
        return refresh(table.get(slot).worker(), date, qty, now);
    }

    /**
     * Brings a worker's payroll line of a day in line with the day's live registrations (Ditio
     * recalculates it on every change): a new version, modified now, only when its content changed;
     * a day left without registrations becomes a tombstone, and comes back under its id.
     */
    PayrollDay refresh(Catalog.Worker worker, LocalDate date, BigDecimal manual, long now) {
        long key = dayKey(worker, date);
        List<TimeRegistration> live = new ArrayList<>();
        for (int slot : registrationSlotsByDay.getOrDefault(key, List.of())) {
            if (!registrations.get(slot).isDeleted()) {
                live.add(registrations.get(slot));
            }
        }
        Integer slot = payrollSlotByDay.get(key);
        PayrollDay old = slot == null ? null : table.get(slot);
        if (old == null && live.isEmpty()) {
            return null;
        }
        PayrollDay next = PayrollDay.derive(old == null ? Guids.nextHi(rnd) : old.idHi(),
                old == null ? Guids.nextLo(rnd) : old.idLo(), worker, date, live, manual, now);
        if (old == null) {
            payrollSlotByDay.put(key, table.add(next));
        } else if (!next.sameContent(old) || (old.manualOvertime() == null ? manual != null : !old.manualOvertime().equals(manual))) {
            table.replace(slot, next);
        } else {
            return old;
        }
        return next;
    }

    /** A registration was added in {@code slot}: its day's payroll line follows. */
    void registrationAdded(int slot, TimeRegistration r, long now) {
        registrationSlotsByDay.computeIfAbsent(dayKey(r.worker(), r.workDate()), k -> new ArrayList<>()).add(slot);
        registrationChanged(r, now);
    }

    /** After a registration changed: its day's payroll line follows, keeping the day's manual overtime. */
    void registrationChanged(TimeRegistration r, long now) {
        Integer slot = payrollSlotByDay.get(dayKey(r.worker(), r.workDate()));
        BigDecimal manual = slot == null ? null : table.get(slot).manualOvertime();
        refresh(r.worker(), r.workDate(), manual, now);
    }

    /** A worker's day as one number (worker index, epoch day): a large dataset has a million of these. */
    private static long dayKey(Catalog.Worker worker, LocalDate date) {
        return ((long) worker.index() << 32) | (date.toEpochDay() & 0xFFFF_FFFFL);
    }
}
