package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static no.ditiosync.testing.DeliveredPayroll.assertSums;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PAYROLL_*_AGGREGATION = per-employee-wage-type against the simulator: each drop holds exactly
 * one line per employee × wage type × project × department × month (task too in the CSV) that
 * changed in the run, with the run's net change, so every drop so far sums to Ditio's truth.
 * SAP and payroll_line beside them stay per registration.
 */
class AggregatedDropsEndToEndTest {

    static final String SUMMED = "per-employee-wage-type";
    static final Map<String, String> AGGREGATED = Map.of("payroll.targets", ALL_TARGETS,
            "payroll.visma.aggregation", SUMMED, "payroll.tripletex.aggregation", SUMMED, "payroll.csv.aggregation", SUMMED);

    @Test
    void eachRunWritesOneSummedLinePerGroupThatChangedAndTheDropsSumToTheTruth(@TempDir Path dir) throws Exception {
        // five weeks to 27 November: October and November, so the month splits groups too
        SimulatorConfig twoMonths = SimulatorConfig.defaults().seed(7).workers(40).weeks(5).lastWorkDate(LAST);
        try (SyncHarness h = new SyncHarness(twoMonths, dir, LAST.minusWeeks(5), AGGREGATED)) {
            Map<String, BigDecimal> before = Map.of();
            Map<String, BigDecimal> beforeByTask = Map.of();
            Random random = new Random(2027);
            for (int round = 0; round <= 5; round++) {
                if (round > 0) {
                    h.ditio.data().randomMutations(random, 25);
                }
                Map<String, BigDecimal> after = groups(h, false);
                Map<String, BigDecimal> afterByTask = groups(h, true);
                String when = round == 0 ? "the full pass" : "incremental round " + round;

                SyncRun run = h.runOnce();

                Map<String, BigDecimal> change = difference(before, after);
                Map<String, BigDecimal> changeByTask = difference(beforeByTask, afterByTask);
                assertThat(change).as("groups changed in %s", when).isNotEmpty();
                if (round == 0) {
                    assertThat(change.keySet()).extracting(k -> k.split("\\|")[2]).contains("2026-10", "2026-11");
                }
                // exactly one line per changed group, holding the group's net change
                assertThat(vismaLines(SyncHarness.fileOf(run, "visma"))).as("Visma drop of %s", when)
                        .containsExactlyInAnyOrderElementsOf(expected(change, k -> k[0] + "|" + k[1] + "|" + k[3] + "|" + k[5]));
                assertThat(tripletexLines(h, SyncHarness.fileOf(run, "tripletex"))).as("Tripletex drop of %s", when)
                        .containsExactlyInAnyOrderElementsOf(expected(change,
                                k -> k[2] + "|" + k[0] + "|" + k[1] + "|" + k[3] + "|" + k[5]));
                assertThat(csvLines(SyncHarness.fileOf(run, "csv"))).as("CSV drop of %s", when)
                        .containsExactlyInAnyOrderElementsOf(expected(changeByTask,
                                k -> "sum:" + String.join(":", k[0], k[1], k[2], k[3], k[4], k[5])));
                assertThat(run.linesByTarget()).as("lines reported for %s", when)
                        .containsEntry("visma", change.size()).containsEntry("tripletex", change.size())
                        .containsEntry("csv", changeByTask.size());

                assertEverythingDeliveredSumsToTheTruth(h, after, afterByTask, "after " + when);
                before = after;
                beforeByTask = afterByTask;
            }

            SyncRun again = h.runOnce();
            assertThat(again.files()).isEmpty();
        }
    }

    /**
     * October closed through the 25th: the summed CSV books the sums of October's open days on the 26th
     * and dates them so (the 1st is closed), apart from the closed days' sums, booked there too but
     * dated on the 1st; a late registration on an open October day the same way. No line is booked in
     * the closed period.
     */
    @Test
    void aMonthClosedPartWayBooksTheSumOfItsOpenDaysOnItsFirstOpenDay(@TempDir Path dir) throws Exception {
        SimulatorConfig twoMonths = SimulatorConfig.defaults().seed(11).workers(3).weeks(6).lastWorkDate(LAST);
        Map<String, String> settings = new java.util.HashMap<>(AGGREGATED);
        settings.put("payroll.closed-through", "2026-10-25");
        try (SyncHarness h = new SyncHarness(twoMonths, dir, LocalDate.of(2026, 10, 19), settings)) {
            List<Map<String, String>> first = DeliveredPayroll.csvRows(List.of(SyncHarness.fileOf(h.runOnce(), "csv")));
            assertThat(first).filteredOn(r -> r.get("lineId").contains(":2026-10:"))
                    .extracting(r -> r.get("workDate") + " " + r.get("bookedDate"))
                    .containsOnly("2026-10-01 2026-10-26", "2026-10-26 2026-10-26").contains("2026-10-01 2026-10-26", "2026-10-26 2026-10-26");

            TimeRegistration worker = h.payrollReady().get(0);
            h.ditio.data().addRegistration(worker.userId(), LocalDate.of(2026, 10, 28), new BigDecimal("2.00"), true);
            List<Map<String, String>> late = DeliveredPayroll.csvRows(List.of(SyncHarness.fileOf(h.runOnce(), "csv")));
            assertThat(late).extracting(r -> r.get("workDate") + " " + r.get("bookedDate") + " " + r.get("quantity"))
                    .containsExactly("2026-10-26 2026-10-26 2.00");
        }
    }

    /** A change that nets to zero per group (hours moved between two days of one month) changes the ledger but writes no summed line. */
    @Test
    void hoursMovedWithinAGroupWriteNoSummedLineButSapAndTheTableFollow(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), AGGREGATED)) {
            h.runOnce();
            Map<String, BigDecimal> groups = groups(h, true);
            // two registrations of one group: one gets 1.25 hours more, the other 1.25 less
            var ready = h.payrollReady();
            Map<String, String> users = h.employeesByUser();
            var pair = ready.stream().filter(r -> r.qty().compareTo(new BigDecimal("2")) > 0)
                    .collect(java.util.stream.Collectors.groupingBy(r -> h.employee(r, users) + "|" + SyncHarness.wageType(r)
                            + "|" + r.workDate().toString().substring(0, 7) + "|" + r.projectNumber() + "|" + r.taskWbsNumber()))
                    .values().stream().filter(l -> l.size() >= 2).findFirst().orElseThrow();
            h.ditio.data().editHours(pair.get(0).id(), pair.get(0).qty().add(new BigDecimal("1.25")));
            h.ditio.data().editHours(pair.get(1).id(), pair.get(1).qty().subtract(new BigDecimal("1.25")));

            SyncRun run = h.runOnce();

            assertThat(groups(h, true)).isEqualTo(groups);
            assertThat(run.files()).extracting(f -> f.getParent().getFileName().toString()).containsExactly("sap");
            assertThat(run.linesByTarget()).containsEntry("visma", 0).containsEntry("tripletex", 0).containsEntry("csv", 0)
                    .containsEntry("sap", 4).containsEntry("jdbc", 2);
            assertEverythingDeliveredSumsToTheTruth(h, groups(h, false), groups, "after hours moved within a group");
        }
    }

    /** The summed drop is written after the scan but still before the commit: when it cannot be, nothing is delivered. */
    @Test
    void anUnwritableSummedDropFailsTheRunBeforeTheCommitAndTheNextRunDeliversOnce(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3),
                Map.of("payroll.targets", "sap,visma", "payroll.visma.aggregation", SUMMED))) {
            Files.createDirectories(dir.resolve("out"));
            Files.writeString(dir.resolve("out/visma"), "not a folder");

            assertThatThrownBy(h::runOnce).hasMessageStartingWith("cannot write the visma drop in " + dir.resolve("out/visma"));

            try (var sap = Files.list(dir.resolve("out/sap"))) {
                assertThat(sap.toList()).as("the SAP drop written during the scan, temporary file included").isEmpty();
            }
            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM ledger_line")) {
                rs.next();
                assertThat(rs.getInt(1)).as("ledger rows").isZero();
            }

            Files.delete(dir.resolve("out/visma"));
            SyncRun run = h.runOnce();
            Map<String, BigDecimal> groups = groups(h, false);
            assertThat(vismaLines(SyncHarness.fileOf(run, "visma")))
                    .containsExactlyInAnyOrderElementsOf(expected(groups, k -> k[0] + "|" + k[1] + "|" + k[3] + "|" + k[5]));
            assertSums("SAP per employee x day x wage type", h.sapTotals(), h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    private static Map<String, BigDecimal> groups(SyncHarness h, boolean byTask) {
        return PayrollTruth.groups(h.ditio.data(), h.startDate, byTask);
    }

    /** after − before per group, groups with no change left out. */
    private static Map<String, BigDecimal> difference(Map<String, BigDecimal> before, Map<String, BigDecimal> after) {
        Map<String, BigDecimal> change = new TreeMap<>();
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            BigDecimal d = after.getOrDefault(k, BigDecimal.ZERO).subtract(before.getOrDefault(k, BigDecimal.ZERO));
            if (d.signum() != 0) {
                change.put(k, d.setScale(2));
            }
        }
        return change;
    }

    /** Each changed group as a file shows it: its fields {employee, wage type, yyyy-MM, project, task, department} picked, then the hours. */
    private static List<String> expected(Map<String, BigDecimal> change, Function<String[], String> shown) {
        List<String> out = new ArrayList<>();
        change.forEach((k, hours) -> out.add(shown.apply(k.split("\\|", -1)) + "|" + hours.toPlainString()));
        return out;
    }

    /** employee|wage type|project|department|hours of each line (fields 3, 4, 12, 11, 6). */
    private static List<String> vismaLines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : DeliveredPayroll.body(file)) {
            List<String> c = DeliveredPayroll.fields(line);
            assertThat(c).as("fields of '%s'", line).hasSize(17);
            out.add(String.join("|", c.get(2), c.get(3), c.get(11), c.get(10), c.get(5)));
        }
        return out;
    }

    /** yyyy-MM|employee|wage type|project|department|hours of each line. */
    private static List<String> tripletexLines(SyncHarness h, Path file) throws IOException {
        return DeliveredPayroll.tripletexLines(List.of(file), h.tripletexCharset()).stream()
                .map(c -> String.join("|", c.get(0) + "-" + c.get(1), c.get(2), c.get(3), c.get(7), c.get(8), c.get(5)))
                .toList();
    }

    /** lineId|hours of each row: the lineId names the group, "sum:employee:wageType:yyyy-MM:project:task:department". */
    private static List<String> csvLines(Path file) throws IOException {
        return DeliveredPayroll.csvRows(List.of(file)).stream().map(r -> r.get("lineId") + "|" + r.get("quantity")).toList();
    }

    /**
     * Every drop so far summed per group equals the truth to the hundredth, and per employee ×
     * wage type as {@link IncrementalLedgerTest} sums it; SAP and payroll_line per employee × day ×
     * wage type, as without aggregation.
     */
    private static void assertEverythingDeliveredSumsToTheTruth(SyncHarness h, Map<String, BigDecimal> groups,
                                                                Map<String, BigDecimal> groupsByTask, String when)
            throws Exception {
        assertSums("Visma per employee x wage type x project x department " + when, sum(h, "visma", AggregatedDropsEndToEndTest::vismaLines),
                sum(groups, k -> k[0] + "|" + k[1] + "|" + k[3] + "|" + k[5]));
        assertSums("Tripletex per month x employee x wage type x project x department " + when,
                sum(h, "tripletex", f -> tripletexLines(h, f)), sum(groups, k -> k[2] + "|" + k[0] + "|" + k[1] + "|" + k[3] + "|" + k[5]));
        assertSums("CSV per group " + when, sum(h, "csv", AggregatedDropsEndToEndTest::csvLines),
                sum(groupsByTask, k -> "sum:" + String.join(":", k)));
        assertSums("Visma per employee x wage type " + when, h.vismaTotals(), h.truth(k -> k[0] + "|" + k[2]));
        assertSums("Tripletex per employee x month x wage type " + when, h.tripletexMonthTotals(),
                h.truth(k -> k[0] + "|" + k[1].substring(0, 7) + "|" + k[2]));
        assertSums("SAP per employee x day x wage type " + when, h.sapTotals(), h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertSums("payroll_line per employee x day x wage type " + when, h.jdbcTotals(),
                h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
    }

    @FunctionalInterface
    private interface Lines {
        List<String> of(Path file) throws IOException;
    }

    /** The "key|hours" lines of every drop of a target so far, summed per key. */
    private static Map<String, BigDecimal> sum(SyncHarness h, String target, Lines lines) throws IOException {
        Map<String, BigDecimal> sums = new TreeMap<>();
        for (Path f : h.filesOf(target)) {
            for (String line : lines.of(f)) {
                int bar = line.lastIndexOf('|');
                sums.merge(line.substring(0, bar), new BigDecimal(line.substring(bar + 1)), BigDecimal::add);
            }
        }
        return DeliveredPayroll.normalise(sums);
    }

    /** Truth groups re-keyed as a file shows them, summed (Visma has no month, so its months add up). */
    private static Map<String, BigDecimal> sum(Map<String, BigDecimal> groups, Function<String[], String> shown) {
        Map<String, BigDecimal> sums = new TreeMap<>();
        groups.forEach((k, hours) -> sums.merge(shown.apply(k.split("\\|", -1)), hours, BigDecimal::add));
        return DeliveredPayroll.normalise(sums);
    }
}
