package no.ditiosync.payroll;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings that decide which payroll lines a company's registrations become: where the hours come
 * from (PAYROLL_SOURCE), the approval gate, the start date and the wage-type mapping (as a digest of
 * its rows). The state DB keeps the rules the delivered lines were made by; a run that finds them
 * changed reads every feed in full, so the lines delivered before follow the change, and reverses what
 * a feed the new source no longer reads delivered (that feed's hours now come from the other).
 */
public record LineRules(PayrollSource source, String approval, LocalDate startDate, String mappingDigest) {

    /** The registration feeds whose lines PAYROLL_SOURCE decides (absences have a switch of their own), in order. */
    public static final List<String> SOURCE_FEEDS = PayrollSource.TIME_AND_OVERTIME.feeds();

    /** What differs from {@code before}, as the log says it ("PAYROLL_SOURCE time → payroll-lines, the wage-type mapping"); empty when nothing. */
    public String changesFrom(LineRules before) {
        List<String> changed = new ArrayList<>();
        if (source != before.source) {
            changed.add("PAYROLL_SOURCE " + before.source.setting() + " → " + source.setting());
        }
        if (!approval.equals(before.approval)) {
            changed.add("PAYROLL_APPROVAL " + before.approval + " → " + approval);
        }
        if (!startDate.equals(before.startDate)) {
            changed.add("PAYROLL_START_DATE " + before.startDate + " → " + startDate);
        }
        if (!mappingDigest.equals(before.mappingDigest)) {
            changed.add("the wage-type mapping's rows");
        }
        return String.join(", ", changed);
    }
}
