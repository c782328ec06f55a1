package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.PayrollDay;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
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

    @ParameterizedTest(name = "PAYROLL_SOURCE={0}")
    @ValueSource(strings = {"time+overtime", "payroll-lines"})
    void everyHourIsPaidOnceAsOrdinaryOrAsOvertimeThroughRandomChanges(String source, @TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.source", source, "payroll.targets", ALL_TARGETS))) {
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
