package no.ditiosync.simulator;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of {@code /v1/payroll-lines-extended}: a worker's day as Ditio's payroll calculation sees
 * it, derived from that day's live time registrations (and a manually registered overtime, if
 * any). Hours above 7.5 a day are automatic overtime, deducted from the ordinary hours (overtimeType
 * 0): level 1 (lineType 20) for the first two, level 2 (30) for the next two, level 3 (40) beyond.
 * A manual overtime (lineType 41) is paid on top (overtimeType 1). Approved when all the day's
 * registrations are; verified (payroll-approved) when all of them are payroll-approved.
 */
public record PayrollDay(long idHi, long idLo, Catalog.Worker worker, LocalDate date, BigDecimal qty,
                         List<OvertimeLine> overtimeLines, BigDecimal manualOvertime, boolean approved,
                         boolean verified, long modifiedAt, boolean deleted, long deletedAt) implements WorkerRecord {

    static final BigDecimal NORMAL_DAY = new BigDecimal("7.5");
    static final BigDecimal LEVEL = new BigDecimal("2");

    /** One overtime line: {@code overtimeType} 0 = deducted from ordinary hours, 1 = paid on top. */
    public record OvertimeLine(String payrollTypeId, String name, int lineType, int overtimeType, int sorting,
                               BigDecimal qty) {
    }

    /** The hours of the day's overtime lines deducted from its ordinary hours (overtimeType 0). */
    public BigDecimal deductedOvertime() {
        return overtimeLines.stream().filter(l -> l.overtimeType() == 0).map(OvertimeLine::qty)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The day's content from its live registrations; the same content as before means no change. */
    static PayrollDay derive(long idHi, long idLo, Catalog.Worker worker, LocalDate date,
                             List<TimeRegistration> live, BigDecimal manual, long modifiedAt) {
        BigDecimal qty = BigDecimal.ZERO;
        boolean approved = !live.isEmpty();
        boolean verified = !live.isEmpty();
        for (TimeRegistration r : live) {
            qty = qty.add(r.qty());
            approved &= r.approved();
            verified &= r.payrollApproved();
        }
        List<OvertimeLine> lines = new ArrayList<>();
        BigDecimal over = qty.subtract(NORMAL_DAY).max(BigDecimal.ZERO);
        int sorting = 1;
        String[][] levels = {{"OT50", "Overtid 50 %", "20"}, {"OT100", "Overtid 100 %", "30"}, {"OT133", "Overtid 133 %", "40"}};
        for (int level = 0; level < levels.length && over.signum() > 0; level++) {
            BigDecimal hours = level < levels.length - 1 ? over.min(LEVEL) : over;
            lines.add(new OvertimeLine(levels[level][0], levels[level][1], Integer.parseInt(levels[level][2]), 0,
                    sorting++, hours));
            over = over.subtract(hours);
        }
        if (manual != null && manual.signum() > 0) {
            lines.add(new OvertimeLine("OTM", "Overtidstillegg (manuell)", 41, 1, sorting, manual));
        }
        boolean deleted = live.isEmpty();
        return new PayrollDay(idHi, idLo, worker, date, qty, List.copyOf(lines), manual, approved, verified, modifiedAt, deleted, deleted ? modifiedAt : TimeRegistration.EMPTY);
    }

    /** Whether the two say the same (everything but the modification and deletion times). */
    boolean sameContent(PayrollDay other) {
        return other != null && qty.compareTo(other.qty) == 0 && overtimeLines.equals(other.overtimeLines)
                && approved == other.approved && verified == other.verified && deleted == other.deleted;
    }
}
