package no.ditiosync.payroll;

import no.ditiosync.ditio.PageReader;
import no.ditiosync.ditio.PayrollLineRecord;
import no.ditiosync.ditio.TimeRegistration;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the records that become payroll lines from one Ditio payroll line (a user's day), as the
 * company's {@link PayrollSource} says. Each is stored and delivered as a record of its own, under
 * the id {@code <payroll line id>:<part>}, so an overtime line that disappears from the day is
 * reversed like a deleted registration. Pure: the same payroll line and source, the same records.
 *
 * <ul>
 *   <li>{@code ot:<payrollTypeId>}: an overtime line, mapped by the {@code overtime} rows;</li>
 *   <li>{@code deduct:<payrollTypeId>} (time+overtime): minus the hours of an overtimeType-0 line,
 *       under the ordinary wage type, because the time registrations delivered them as ordinary;</li>
 *   <li>{@code ordinary} (payroll-lines): qty less the overtimeType-0 overtime, under the ordinary wage type.</li>
 * </ul>
 */
public final class PayrollDaySplitter {

    /** codes key of the part a record is, and its values. */
    public static final String KIND = "kind";
    public static final String OVERTIME = "overtime";
    public static final String DEDUCTION = "deduction";
    public static final String ORDINARY = "ordinary";

    private static final String DEDUCTION_PART = ":deduct:";
    private static final String ORDINARY_UNKNOWN = "ordinary hours unknown: ";

    /**
     * How the reasons begin that this splitter gives, as SQL LIKE patterns. They judge the day as
     * Ditio sent it, which a part rebuilt from the quarantine no longer holds: mapped again, such a
     * part would be paid, so it waits until Ditio sends its day anew.
     */
    public static final List<String> DAY_REASONS_LIKE = List.of(ORDINARY_UNKNOWN + "%", "overtime line % has overtimeType %");

    /** The one part of a day that cannot be read as a whole: quarantined, the parts it had wait with it. */
    public static final String UNREADABLE_PART = "unreadable";

    private PayrollDaySplitter() {
    }

    /** Whether a payroll line id is that of a deduction: the one kind of line whose hours are negative by design. */
    public static boolean isDeduction(String lineId) {
        return lineId != null && lineId.contains(DEDUCTION_PART);
    }

    public static List<TimeRegistration> split(PayrollLineRecord day, PayrollSource source) {
        List<TimeRegistration> parts = new ArrayList<>();
        if (day.isDeleted) {
            return parts; // every part of the day goes with it
        }
        List<PayrollLineRecord.OvertimeLine> lines = day.overtimeLines == null ? List.of() : day.overtimeLines;
        // a null in the list binds without a word from Jackson: the day's parts are unknown, as for a wrong type
        String unreadable = day.unreadable != null ? day.unreadable
                : lines.stream().anyMatch(java.util.Objects::isNull) ? PageReader.UNREADABLE + "overtimeLines: null is not an object" : null;
        if (unreadable != null) {
            TimeRegistration part = part(day, UNREADABLE_PART, null, null);
            part.unreadable = unreadable;
            part.unreadableFields = day.unreadableFields;
            parts.add(part);
            return parts;
        }
        BigDecimal deducted = BigDecimal.ZERO;
        BigDecimal deductedAsSent = BigDecimal.ZERO;
        String ordinaryUnknown = null; // why the day's ordinary hours cannot be told, when they cannot
        Set<String> names = new HashSet<>();
        for (PayrollLineRecord.OvertimeLine line : lines) {
            String name = line.payrollTypeId != null ? line.payrollTypeId : "type" + line.lineType;
            while (!names.add(name)) {
                name = name + "+";
            }
            TimeRegistration overtime = part(day, "ot:" + name, OVERTIME, line.qty);
            codes(overtime, line);
            overtime.description = line.name;
            if (line.overtimeType == null || line.overtimeType < 0 || line.overtimeType > 1) {
                // whether its hours are also ordinary hours is unknown: better not paid than paid twice
                overtime.unreadable = "overtime line " + name + " has overtimeType " + line.overtimeType
                        + " (0 = deducted, 1 = paid on top)";
                ordinaryUnknown = ORDINARY_UNKNOWN + "an overtime line of the day has no valid overtimeType";
            } else if (line.overtimeType == 0 && (line.qty == null || line.qty.signum() < 0) && ordinaryUnknown == null) {
                // the line is quarantined for its hours: taking them off (or not) would pay the ordinary hours wrong
                ordinaryUnknown = ORDINARY_UNKNOWN + "overtime line " + name + ", deducted from them, has "
                        + (line.qty == null ? "no hours" : "hours " + line.qty.toPlainString());
            }
            parts.add(overtime);
            if (Integer.valueOf(0).equals(line.overtimeType) && line.qty != null) {
                // as paid: each part is paid at two decimals, and the day's parts must add up to its hours
                deducted = deducted.add(PayrollLineMapper.paid(line.qty));
                deductedAsSent = deductedAsSent.add(line.qty);
                if (source == PayrollSource.TIME_AND_OVERTIME) {
                    TimeRegistration deduction = part(day, DEDUCTION_PART.substring(1) + name, DEDUCTION, line.qty.negate());
                    codes(deduction, line);
                    deduction.description = line.name + " (fra ordinære timer)";
                    parts.add(deduction);
                }
            }
        }
        if (source == PayrollSource.PAYROLL_LINES) {
            BigDecimal ordinaryHours = day.qty == null ? null : PayrollLineMapper.paid(day.qty).subtract(deducted);
            if (ordinaryHours != null && ordinaryHours.signum() < 0 && deductedAsSent.compareTo(day.qty) <= 0) {
                // a day of overtime only, whose lines each rounded up: no ordinary hours, not minus a hundredth
                ordinaryHours = BigDecimal.ZERO.setScale(2);
            }
            TimeRegistration ordinary = part(day, ORDINARY, ORDINARY, ordinaryHours);
            if (ordinaryUnknown != null) {
                ordinary.unreadable = ordinaryUnknown;
            }
            parts.add(ordinary);
        }
        return parts;
    }

    private static TimeRegistration part(PayrollLineRecord day, String name, String kind, BigDecimal qty) {
        TimeRegistration part = TimeRegistration.of(PayrollLineRecord.PAYROLL);
        part.id = day.id + ":" + name;
        part.parentId = day.id;
        part.workDate = day.workDate;
        part.qty = qty;
        part.userId = day.userId;
        part.userName = day.userName;
        part.userEmployeeNumber = day.userEmployeeNumber;
        part.approved = day.approved;
        part.payrollApproved = day.payrollApproved;
        part.modifiedDateTime = day.modifiedDateTime;
        if (kind != null) {
            part.codes.put(KIND, kind);
        }
        return part;
    }

    private static void codes(TimeRegistration part, PayrollLineRecord.OvertimeLine line) {
        if (line.lineType != null) {
            part.codes.put("lineType", line.lineType.toString());
        }
        if (line.payrollTypeId != null) {
            part.codes.put("payrollTypeId", line.payrollTypeId);
        }
        if (line.overtimeType != null) {
            part.codes.put("overtimeType", line.overtimeType.toString());
        }
    }
}
