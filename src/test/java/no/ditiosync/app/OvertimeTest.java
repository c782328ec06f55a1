package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.PayrollDay;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/** Overtime from /v1/payroll-lines-extended, in both payroll source modes: every hour paid once, corrections included. */
class OvertimeTest {

    /** The state DB (and JDBC target): an H2 file here, PostgreSQL in {@link OvertimeOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    /** A harness of the company with hours from {@code source}, delivering to every target. */
    SyncHarness harness(Path dir, String source) {
        return new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.source", source, "payroll.targets", ALL_TARGETS));
    }

    /** A day's overtimeLines as Ditio writes them, raw JSON: one automatic overtime line (lineType 20). */
    static String oneOvertimeLine(String payrollTypeId, String overtimeType, String qty) {
        return "[{\"payrollTypeId\":\"" + payrollTypeId + "\",\"name\":\"Overtid\",\"lineType\":20,\"overtimeType\":"
                + overtimeType + ",\"sorting\":1,\"qty\":" + qty + "}]";
    }

    @ParameterizedTest(name = "PAYROLL_SOURCE={0}")
    @ValueSource(strings = {"time+overtime", "payroll-lines"})
    void everyHourIsPaidOnceAsOrdinaryOrAsOvertimeThroughRandomChanges(String source, @TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, source)) {
            SyncRun first = h.runOnce();
            assertThat(first.syncs("time")).isEqualTo(source.equals("time+overtime"));
            assertThat(h.truthLines()).as("overtime of every level, and manual overtime paid on top")
                    .extracting(PayrollTruth.Line::wageType).contains("2050", "2100", "2200");
            assertEveryTargetHoldsTheTruth(h, "after the full pass");
            assertOrdinaryHoursAreWorkedHoursLessDeductedOvertime(h, source);

            Random random = new Random(31);
            for (int round = 0; round < 3; round++) {
                h.ditio.data().randomMutations(random, 30);
                h.runOnce();
                assertEveryTargetHoldsTheTruth(h, "after round " + round);
                assertOrdinaryHoursAreWorkedHoursLessDeductedOvertime(h, source);
            }
            assertThat(h.runOnce().files()).as("a quiet run").isEmpty();
        }
    }

    /**
     * Overtime deducted from the ordinary hours (overtimeType 0) whose line has no wage type in the
     * mapping waits in quarantine, and no other hour of its day does: with time registrations the day's
     * hours stay paid as ordinary (the deduction waits with the line), with payroll lines the ordinary
     * part is the day's hours less it, so exactly its hours wait. Once the mapping has the row, each
     * hour is paid once, as the truth says.
     */
    @ParameterizedTest(name = "PAYROLL_SOURCE={0}")
    @ValueSource(strings = {"time+overtime", "payroll-lines"})
    void deductedOvertimeWithoutAWageTypeWaitsAloneUntilItIsMapped(String source, @TempDir Path dir) throws Exception {
        String shipped = Files.readString(AppProcess.projectRoot().resolve("mappings/wage-types.csv"), StandardCharsets.UTF_8);
        String withoutLevelOne = shipped.replace("overtime,lineType,20,2050\n", "");
        assertThat(withoutLevelOne).isNotEqualTo(shipped);
        Path mapping = dir.resolve("wage-types.csv");
        Files.writeString(mapping, withoutLevelOne, StandardCharsets.UTF_8);
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.source", source, "payroll.targets", ALL_TARGETS, "payroll.wage-types", mapping.toString()))) {
            h.runOnce();
            Map<String, String> users = h.employeesByUser();
            Map<String, BigDecimal> waiting = new TreeMap<>();
            for (PayrollDay day : PayrollTruth.payrollReadyDays(h.ditio.data(), h.startDate)) {
                String employee = day.employeeNumber() == null || day.employeeNumber().isEmpty()
                        ? users.get(day.userId()) : day.employeeNumber();
                for (PayrollDay.OvertimeLine line : day.overtimeLines()) {
                    if (line.lineType() == 20) {
                        assertThat(h.quarantine()).extracting(q -> q[0] + " " + q[1])
                                .anyMatch(q -> q.startsWith(day.id() + ":ot:" + line.payrollTypeId() + " no wage type in ")
                                        && q.contains("lineType=20"));
                        if (source.equals("payroll-lines")) {
                            waiting.merge(DeliveredPayroll.normalEmployee(employee) + "|" + day.date(), line.qty(), BigDecimal::add);
                        }
                    }
                }
            }
            Map<String, BigDecimal> paidOrWaiting = new TreeMap<>(waiting);
            h.jdbcTotals().forEach((key, hours) -> paidOrWaiting.merge(key.substring(0, key.lastIndexOf('|')), hours, BigDecimal::add));
            assertThat(h.truth(k -> k[2])).as("level-1 overtime in Ditio").containsKey("2050");
            DeliveredPayroll.assertSums("hours per employee and day, every wage type, paid or waiting in quarantine",
                    DeliveredPayroll.normalise(paidOrWaiting), h.truth(k -> k[0] + "|" + k[1]));

            Files.writeString(mapping, shipped, StandardCharsets.UTF_8);
            h.restartWith(Map.of());
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[1]).noneMatch(reason -> reason.startsWith("no wage type"));
            assertEveryTargetHoldsTheTruth(h, "after the mapping has level 1");
            assertOrdinaryHoursAreWorkedHoursLessDeductedOvertime(h, source);
            assertThat(h.runOnce().files()).as("a quiet run").isEmpty();
        }
    }

    /**
     * A day whose ordinary hours are unknown (an overtime line without a valid overtimeType, or with
     * hours below zero) keeps them in quarantine on the runs after, when the quarantine is mapped
     * again without Ditio sending the day anew: rebuilt from what the state DB kept, the ordinary
     * part had lost why it was held and was paid (the day's hours less the line as sent; the line too).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"null,1.0", "0,-1.0"})
    void aDayWhoseOrdinaryHoursAreUnknownStaysInQuarantineRunAfterRun(String overtimeTypeAndQty, @TempDir Path dir) throws Exception {
        String[] line = overtimeTypeAndQty.split(",");
        try (SyncHarness h = harness(dir, "payroll-lines")) {
            PayrollDay day = PayrollTruth.payrollReadyDays(h.ditio.data(), h.startDate).get(0);
            h.ditio.faults().corruptRecord(day.id(), "overtimeLines", oneOvertimeLine("OT50", line[0], line[1]));
            String employee = DeliveredPayroll.normalEmployee(day.employeeNumber() == null || day.employeeNumber().isEmpty()
                    ? h.employeesByUser().get(day.userId()) : day.employeeNumber());
            for (int run = 0; run < 3; run++) {
                h.runOnce();
                assertThat(h.quarantine()).as("run %d", run).extracting(q -> q[0] + " " + q[1])
                        .anyMatch(q -> q.startsWith(day.id() + ":ordinary ordinary hours unknown: "))
                        .anyMatch(q -> q.startsWith(day.id() + ":ot:OT50 "));
                assertThat(h.jdbcTotals().keySet()).as("nothing of the day paid, run %d", run)
                        .noneMatch(key -> key.startsWith(employee + "|" + day.date() + "|"));
            }
            // Ditio sends the day anew, whole: its parts leave the quarantine and are paid once
            h.ditio.faults().clear();
            h.ditio.data().setManualOvertime(day.userId(), day.date(), new BigDecimal("1.5"));
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0]).noneMatch(id -> id.startsWith(day.id()));
            assertEveryTargetHoldsTheTruth(h, "after Ditio sent the day anew");
        }
    }

    /**
     * A worker's department (or employee number) changes in the run that also brings a deleted day
     * and a day without its manual overtime line: the worker's delivered lines are mapped again from
     * the ledger, but the parts the days no longer have are reversed, not booked again under the new
     * department (they were: 10 h of a deleted day and 2 h of a removed line stayed paid, outside audit).
     */
    @ParameterizedTest(name = "PAYROLL_SOURCE={0}")
    @ValueSource(strings = {"time+overtime", "payroll-lines"})
    void partsADayNoLongerHasAreReversedWhenItsWorkerChangesInTheSameRun(String source, @TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, source)) {
            java.util.List<PayrollDay> days = PayrollTruth.payrollReadyDays(h.ditio.data(), h.startDate);
            PayrollDay deleted = days.stream().filter(p -> !p.overtimeLines().isEmpty()).findFirst().orElseThrow();
            PayrollDay lessOvertime = days.stream().filter(p -> p.userId().equals(deleted.userId()))
                    .filter(p -> !p.date().equals(deleted.date())).findFirst().orElseThrow();
            h.ditio.data().setManualOvertime(lessOvertime.userId(), lessOvertime.date(), new BigDecimal("2"));
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the full pass");

            for (TimeRegistration r : h.ditio.data().liveTimeRegistrations()) {
                if (r.userId().equals(deleted.userId()) && r.workDate().equals(deleted.date())) {
                    h.ditio.data().delete(r.id());
                }
            }
            h.ditio.data().setManualOvertime(lessOvertime.userId(), lessOvertime.date(), null);
            h.ditio.data().setDepartment(deleted.userId(), "Ny avdeling");
            assertThat(h.ditio.data().livePayrollDays()).extracting(PayrollDay::id).doesNotContain(deleted.id());

            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the day's deletion, the line's removal and the worker's change");
            assertOrdinaryHoursAreWorkedHoursLessDeductedOvertime(h, source);
        }
    }

    /**
     * Ditio sends a payroll line twice in one pass, the earlier copy with an overtime line the later one
     * lacks: the later copy is the day (as for a registration), and the earlier one's line is not paid
     * (it was: 3 h more, outside audit), in a full pass and an incremental one.
     */
    @ParameterizedTest(name = "PAYROLL_SOURCE={0}")
    @ValueSource(strings = {"time+overtime", "payroll-lines"})
    void aPayrollLineSentTwiceInAPassIsItsLaterCopy(String source, @TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, source)) {
            java.util.List<PayrollDay> days = PayrollTruth.payrollReadyDays(h.ditio.data(), h.startDate);
            String earlierCopy = oneOvertimeLine("OT99", "1", "3.0");
            h.ditio.faults().repeatRecord(days.get(0).id(), "overtimeLines", earlierCopy);
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after a full pass with a day sent twice");

            h.ditio.faults().clear();
            PayrollDay again = days.get(1);
            h.ditio.data().setManualOvertime(again.userId(), again.date(), new BigDecimal("1.5"));
            h.ditio.faults().repeatRecord(again.id(), "overtimeLines", earlierCopy);
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after an incremental pass with a day sent twice");
        }
    }

    /**
     * The earlier copy of a payroll line sent twice names a worker without an employee number: its parts
     * went to quarantine and stayed, and once that worker got a number a later run paid them to him (3 h
     * of overtime, and the day's ordinary hours moved from the real worker). The later copy releases them.
     */
    @ParameterizedTest(name = "PAYROLL_SOURCE={0}")
    @ValueSource(strings = {"time+overtime", "payroll-lines"})
    void theQuarantinedPartsOfAnEarlierCopyAreNotPaidLater(String source, @TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, source)) {
            no.ditiosync.simulator.DitioUser noNumber = h.ditio.data().users().stream()
                    .filter(u -> u.employeeNumber() == null || u.employeeNumber().isBlank()).findFirst().orElseThrow();
            PayrollDay day = PayrollTruth.payrollReadyDays(h.ditio.data(), h.startDate).stream()
                    .filter(p -> !p.userId().equals(noNumber.identityUserId())).findFirst().orElseThrow();
            h.ditio.faults().repeatRecord(day.id(), "userId", "\"" + noNumber.identityUserId() + "\"")
                    .repeatRecord(day.id(), "employeeNumber", "null")
                    .repeatRecord(day.id(), "overtimeLines", oneOvertimeLine("OT99", "1", "3.0"));
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after a full pass with a day sent twice");
            assertThat(h.quarantine()).extracting(q -> q[0]).noneMatch(id -> id.startsWith(day.id()));

            h.ditio.faults().clear();
            h.ditio.data().setEmployeeNumber(noNumber.identityUserId(), "88001");
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the other worker got an employee number");
        }
    }

    /**
     * Per employee and day, what payroll_line holds under the ordinary wage type is the worked hours
     * less the overtime deducted from them (overtimeType 0), straight from Ditio's data: no hour is
     * both ordinary and overtime.
     */
    private static void assertOrdinaryHoursAreWorkedHoursLessDeductedOvertime(SyncHarness h, String source) throws Exception {
        Map<String, String> users = h.employeesByUser();
        Map<String, BigDecimal> expected = new TreeMap<>();
        if (source.equals("time+overtime")) {
            for (TimeRegistration r : h.payrollReady()) {
                if (SyncHarness.wageType(r).equals(PayrollTruth.ORDINARY)) {
                    expected.merge(DeliveredPayroll.normalEmployee(h.employee(r, users)) + "|" + r.workDate(),
                            r.qty().setScale(2, RoundingMode.HALF_UP), BigDecimal::add);
                }
            }
        }
        for (PayrollDay p : PayrollTruth.payrollReadyDays(h.ditio.data(), h.startDate)) {
            String employee = p.employeeNumber() == null || p.employeeNumber().isEmpty() ? users.get(p.userId()) : p.employeeNumber();
            BigDecimal ordinary = source.equals("time+overtime") ? p.deductedOvertime().negate()
                    : p.qty().subtract(p.deductedOvertime());
            expected.merge(DeliveredPayroll.normalEmployee(employee) + "|" + p.date(), ordinary.setScale(2, RoundingMode.HALF_UP),
                    BigDecimal::add);
        }
        Map<String, BigDecimal> delivered = new TreeMap<>();
        h.jdbcTotals().forEach((key, hours) -> {
            String[] k = key.split("\\|");
            if (k[2].equals(PayrollTruth.ORDINARY)) {
                delivered.put(k[0] + "|" + k[1], hours);
            }
        });
        DeliveredPayroll.assertSums("ordinary hours per employee and day", delivered, DeliveredPayroll.normalise(expected));
    }
}
