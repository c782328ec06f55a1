package no.ditiosync.payroll;

import no.ditiosync.ditio.PayrollLineRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A Ditio payroll line split into the records that become payroll lines, in each PAYROLL_SOURCE, and mapped. */
class PayrollDaySplitterTest {

    static final WageTypeMapping MAPPING = WageTypeMapping.parse(List.of("source,field,value,wageType",
            "time,taskWbsNumber,9001,1100", "time,*,*,1000", "overtime,lineType,20,2050", "overtime,payrollTypeId,OTM,2200"),
            "wage-types.csv");
    final PayrollLineMapper mapper = new PayrollLineMapper(MAPPING, ApprovalGate.PAYROLL_APPROVED, LocalDate.of(2026, 10, 1));

    static PayrollLineRecord day() {
        PayrollLineRecord p = new PayrollLineRecord();
        p.id = "d-1";
        p.workDate = "2026-11-02T00:00:00Z";
        p.qty = new BigDecimal("9.5");
        p.userId = "u-1";
        p.userEmployeeNumber = "1002";
        p.approved = true;
        p.payrollApproved = true;
        p.modifiedDateTime = "2026-11-03T06:00:00Z";
        p.overtimeLines = List.of(line("OT50", 20, 0, "2"), line("OTM", 41, 1, "1.5"));
        return p;
    }

    static PayrollLineRecord.OvertimeLine line(String payrollTypeId, Integer lineType, Integer overtimeType, String qty) {
        PayrollLineRecord.OvertimeLine l = new PayrollLineRecord.OvertimeLine();
        l.payrollTypeId = payrollTypeId;
        l.lineType = lineType;
        l.overtimeType = overtimeType;
        l.qty = new BigDecimal(qty);
        return l;
    }

    /** "id wageType hours" of each part, as the mapper makes them. */
    List<String> lines(PayrollLineRecord day, PayrollSource source) {
        return PayrollDaySplitter.split(day, source).stream().map(part -> {
            MappingResult m = mapper.map(part, id -> null);
            return m.line() == null ? part.id + " " + m.status() + " " + m.reason()
                    : m.line().lineId() + " " + m.line().wageType() + " " + m.line().quantity().toPlainString();
        }).toList();
    }

    @Test
    void timePlusOvertimeTakesDeductedOvertimeOutOfTheOrdinaryWageType() {
        assertThat(lines(day(), PayrollSource.TIME_AND_OVERTIME)).containsExactly(
                "payroll:d-1:ot:OT50 2050 2.00", "payroll:d-1:deduct:OT50 1000 -2.00", "payroll:d-1:ot:OTM 2200 1.50");
        assertThat(PayrollDaySplitter.isDeduction("payroll:d-1:deduct:OT50")).isTrue();
        assertThat(PayrollDaySplitter.isDeduction("payroll:d-1:ot:OT50")).isFalse();
    }

    @Test
    void payrollLinesGiveOrdinaryHoursLessDeductedOvertimeAndTheOvertimeLines() {
        assertThat(lines(day(), PayrollSource.PAYROLL_LINES)).containsExactly(
                "payroll:d-1:ot:OT50 2050 2.00", "payroll:d-1:ot:OTM 2200 1.50", "payroll:d-1:ordinary 1000 7.50");
    }

    /**
     * Each part is paid at two decimals: the ordinary hours are the day's less the overtime as paid,
     * so the day's parts add up to its hours (8 - 1.125 was 6.875, paid as 6.88 beside 1.13: 8.01).
     */
    @Test
    void theDaysPartsAddUpToItsHoursAsPaid() {
        PayrollLineRecord day = day();
        day.qty = new BigDecimal("8");
        day.overtimeLines = List.of(line("OT50", 20, 0, "1.125"), line("OTM", 41, 1, "0.333"));
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).containsExactly(
                "payroll:d-1:ot:OT50 2050 1.13", "payroll:d-1:ot:OTM 2200 0.33", "payroll:d-1:ordinary 1000 6.87");
        // a day of 8.004 hours is paid as 8.00 in all
        day.qty = new BigDecimal("8.004");
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).last().isEqualTo("payroll:d-1:ordinary 1000 6.87");
        assertThat(lines(day, PayrollSource.TIME_AND_OVERTIME)).containsExactly("payroll:d-1:ot:OT50 2050 1.13",
                "payroll:d-1:deduct:OT50 1000 -1.13", "payroll:d-1:ot:OTM 2200 0.33");
        // a day of overtime only: each line paid as sent (half up), no ordinary hours, not minus a hundredth
        day.qty = new BigDecimal("2.25");
        day.overtimeLines = List.of(line("OT50", 20, 0, "1.125"), line("OT100", 20, 0, "1.125"));
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).containsExactly(
                "payroll:d-1:ot:OT50 2050 1.13", "payroll:d-1:ot:OT100 2050 1.13", "payroll:d-1:ordinary 1000 0.00");
        // more deducted than the day holds is no rounding: whether the hours are ordinary is unknown
        day.qty = new BigDecimal("2.2");
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).last().asString()
                .isEqualTo("d-1:ordinary QUARANTINED hours -0.06 outside 0-24 for one day");
    }

    /** An overtimeType-0 line quarantined for its hours leaves the ordinary hours unknown: held too, not paid 9 of 8. */
    @Test
    void theOrdinaryHoursWaitWhileTheOvertimeTakenFromThemIsQuarantined() {
        PayrollLineRecord day = day();
        day.qty = new BigDecimal("8");
        day.overtimeLines = List.of(line("OT50", 20, 0, "-1"));
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).containsExactly(
                "d-1:ot:OT50 QUARANTINED hours -1.00 outside 0-24 for one day",
                "d-1:ordinary QUARANTINED ordinary hours unknown: overtime line OT50, deducted from them, has hours -1");
        day.overtimeLines = List.of(new PayrollLineRecord.OvertimeLine());
        day.overtimeLines.get(0).payrollTypeId = "OT50";
        day.overtimeLines.get(0).lineType = 20;
        day.overtimeLines.get(0).overtimeType = 0;
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).last().asString().isEqualTo(
                "d-1:ordinary QUARANTINED ordinary hours unknown: overtime line OT50, deducted from them, has no hours");
    }

    @Test
    void anOvertimeLineWithoutOvertimeTypeIsQuarantinedAndSoAreTheOrdinaryHoursItLeavesUnknown() {
        PayrollLineRecord day = day();
        day.overtimeLines = List.of(line("OT50", 20, null, "2"));
        assertThat(lines(day, PayrollSource.PAYROLL_LINES)).containsExactly(
                "d-1:ot:OT50 QUARANTINED overtime line OT50 has overtimeType null (0 = deducted, 1 = paid on top)",
                "d-1:ordinary QUARANTINED ordinary hours unknown: an overtime line of the day has no valid overtimeType");
    }

    @Test
    void anUnmappedOvertimeLineIsQuarantinedWithItsDeductionAndADeletedDayHasNoParts() {
        PayrollLineRecord day = day();
        day.overtimeLines = List.of(line("OT100", 30, 0, "1"));
        assertThat(lines(day, PayrollSource.TIME_AND_OVERTIME)).containsExactly(
                "d-1:ot:OT100 QUARANTINED no wage type in wage-types.csv for payroll (kind=overtime, lineType=30, "
                        + "overtimeType=0, payrollTypeId=OT100)",
                "d-1:deduct:OT100 QUARANTINED no wage type in wage-types.csv for the overtime line this deduction "
                        + "belongs to (kind=deduction, lineType=30, overtimeType=0, payrollTypeId=OT100)");
        day.isDeleted = true;
        assertThat(PayrollDaySplitter.split(day, PayrollSource.PAYROLL_LINES)).isEmpty();
    }
}
