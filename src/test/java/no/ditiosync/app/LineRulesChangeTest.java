package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.ditiosync.ditio.DitioPager;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.function.Function;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.testing.DeliveredPayroll.assertSums;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change of the settings that decide which lines the registrations become (PAYROLL_SOURCE, the
 * wage-type mapping): the next run reads every feed in full, the lines delivered before follow the
 * change in every target, and a feed the new source no longer reads has its lines reversed, so every
 * hour stays paid once. The run after that is incremental again.
 */
class LineRulesChangeTest {

    /** The state DB (and JDBC target): an H2 file here, PostgreSQL in {@link LineRulesChangeOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    static SimulatorConfig workers() {
        return SimulatorConfig.defaults().seed(7).workers(15).weeks(3).lastWorkDate(LAST);
    }

    @Test
    void switchingThePayrollSourceBetweenRunsKeepsEveryHourPaidOnce(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.source", "time", "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "from time registrations");
            Random random = new Random(17);
            // every switch there is: time → payroll-lines → time → time+overtime → payroll-lines → time+overtime → time
            for (String source : List.of("payroll-lines", "time", "time+overtime", "payroll-lines", "time+overtime", "time")) {
                h.ditio.data().randomMutations(random, 20);
                h.restartWith(Map.of("payroll.source", source));
                SyncRun switched = h.runOnce();
                assertThat(switched.passes()).as("the run after the switch to %s", source).filteredOn(SyncRun.Pass::delivers)
                        .isNotEmpty().allMatch(p -> p.mode() == SyncRun.Mode.FULL);
                assertEveryTargetHoldsTheTruth(h, "after the switch to " + source);

                h.ditio.data().randomMutations(random, 20);
                SyncRun next = h.runOnce();
                assertThat(next.passes()).as("the run after that").filteredOn(SyncRun.Pass::delivers)
                        .allMatch(p -> p.mode() == SyncRun.Mode.INCREMENTAL);
                assertEveryTargetHoldsTheTruth(h, "a run after the switch to " + source);
            }
        }
    }

    /**
     * A switch while the absence feed is not deployed: the old feed's lines are reversed all the same
     * (absences are no part of the source), and the absence feed, left out of a run of changed settings,
     * is read in full once it answers. A start date moved later before that: what was delivered before it stays.
     */
    @Test
    void aSwitchReversesTheOldFeedFromTheStartDateOnWhateverAbsencesDo(@TempDir Path dir) throws Exception {
        LocalDate first = LAST.minusWeeks(3);
        LocalDate later = LAST.minusWeeks(2);
        try (SyncHarness h = new SyncHarness(workers(), dir, first, stateDb(dir),
                Map.of("payroll.source", "time", "payroll.absences", "true", "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "from time registrations and absences");
            Map<String, BigDecimal> beforeLater = before(h.sapTotals(), later);
            assertThat(beforeLater).isNotEmpty();

            h.restartWith(Map.of("payroll.start-date", later.toString()));
            h.runOnce();
            h.ditio.faults().undeploy(DitioPager.ABSENCES);
            h.restartWith(Map.of("payroll.source", "payroll-lines"));
            SyncRun switched = h.runOnce();
            assertThat(switched.failedFeeds()).containsOnlyKeys("absence");

            // nothing changed in Ditio: the absences delivered before are still its absences
            Map<String, BigDecimal> truth = PayrollTruth.sums(h.ditio.data(), later, k -> k[0] + "|" + k[1] + "|" + k[2],
                    new PayrollTruth.Scope(true, "payroll-lines"));
            assertSums("SAP from the later start date, after the switch", from(h.sapTotals(), later), truth);
            assertSums("SAP before the later start date: as delivered then", before(h.sapTotals(), later), beforeLater);

            h.ditio.faults().deploy(DitioPager.ABSENCES);
            SyncRun back = h.runOnce();
            assertThat(back.pass("absence").mode()).as("the absence feed, left out of the switch").isEqualTo(SyncRun.Mode.FULL);
            assertThat(back.pass("payroll").mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertSums("SAP from the later start date, absences back", from(h.sapTotals(), later), truth);
        }
    }

    /**
     * A start date moved later: the lines delivered before it stay as delivered whatever Ditio changes
     * there afterwards (an edit, a deletion, an un-approval, a worker's new employee number), in every
     * target; from the start date on every target holds the truth.
     */
    @Test
    void aStartDateMovedLaterLeavesTheLinesBeforeItWhateverDitioChangesThere(@TempDir Path dir) throws Exception {
        LocalDate later = LAST.minusWeeks(2);
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            Function<String[], String> dayKey = k -> k[0] + "|" + k[1] + "|" + k[2];
            Map<String, Map<String, BigDecimal>> deliveredBefore = perTarget(h, later);
            assertThat(deliveredBefore.get("sap")).isNotEmpty();
            h.restartWith(Map.of("payroll.start-date", later.toString()));
            h.runOnce();

            List<no.ditiosync.simulator.TimeRegistration> old = h.ditio.data().liveTimeRegistrations().stream()
                    .filter(r -> r.payrollApproved() && r.workDate().isBefore(LAST.minusWeeks(2))
                            && !r.workDate().isBefore(LAST.minusWeeks(3)))
                    .toList();
            h.ditio.data().editHours(old.get(0).id(), old.get(0).qty().add(new BigDecimal("0.5")));
            h.ditio.data().delete(old.get(1).id());
            h.ditio.data().unapprove(old.get(2).id());
            String moved = old.stream().map(r -> r.userId()).filter(u -> !u.equals(old.get(0).userId())).findFirst().orElseThrow();
            h.ditio.data().setEmployeeNumber(moved, "77001");
            h.ditio.data().randomMutations(new Random(23), 20);
            SyncRun next = h.runOnce();
            assertThat(next.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.INCREMENTAL);

            assertThat(perTarget(h, later)).as("every target's lines before the later start date").isEqualTo(deliveredBefore);
            Map<String, BigDecimal> truth = PayrollTruth.sums(h.ditio.data(), later, dayKey);
            assertSums("SAP from the later start date", from(h.sapTotals(), later), truth);
            assertSums("CSV from the later start date", from(h.csvTotals(), later), truth);
            assertSums("payroll_line from the later start date", from(h.jdbcTotals(), later), truth);
        }
    }

    /** Each dated target's sums per employee, day and wage type, before a day. */
    private static Map<String, Map<String, BigDecimal>> perTarget(SyncHarness h, LocalDate day) throws Exception {
        return Map.of("sap", before(h.sapTotals(), day), "csv", before(h.csvTotals(), day),
                "jdbc", before(h.jdbcTotals(), day));
    }

    /**
     * A switch made with a start date moved later reverses the old feed only from that date; when the
     * start date moves back, the old feed's lines of the days between are reversed too, so those days
     * are not paid by both feeds.
     */
    @Test
    void aSwitchMadeWithALaterStartDateIsFinishedWhenTheStartDateMovesBack(@TempDir Path dir) throws Exception {
        LocalDate first = LAST.minusWeeks(3);
        try (SyncHarness h = new SyncHarness(workers(), dir, first, stateDb(dir),
                Map.of("payroll.source", "time", "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            h.restartWith(Map.of("payroll.start-date", LAST.minusWeeks(2).toString(), "payroll.source", "payroll-lines"));
            h.runOnce();
            h.ditio.data().randomMutations(new Random(29), 20);
            h.restartWith(Map.of("payroll.start-date", first.toString()));
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "with the start date back, after a switch made with a later one");
        }
    }

    /** A feed of the source that is not deployed here, run after run: the settings are kept all the same, the runs stay incremental. */
    @Test
    void aFeedNeverDeployedDoesNotMakeEveryRunAFullPass(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.source", "time+overtime", "payroll.targets", ALL_TARGETS))) {
            h.ditio.faults().undeploy(DitioPager.PAYROLL_LINES);
            assertThat(h.runOnce().failedFeeds()).containsOnlyKeys("payroll");
            SyncRun second = h.runOnce();
            assertThat(second.failedFeeds()).containsOnlyKeys("payroll");
            assertThat(second.pass("time").mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
        }
    }

    /** A state DB of the version before the settings were kept (no sync_line_rules row): its first run reads every feed in full once. */
    @Test
    void aStateDbThatKeptNoSettingsIsReadInFullOnceSoAMappingEditMadeWithTheUpgradeApplies(@TempDir Path dir) throws Exception {
        String shipped = Files.readString(AppProcess.projectRoot().resolve("mappings/wage-types.csv"), StandardCharsets.UTF_8);
        Path mapping = dir.resolve("wage-types.csv");
        Files.writeString(mapping, shipped, StandardCharsets.UTF_8);
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.targets", ALL_TARGETS, "payroll.wage-types", mapping.toString()))) {
            h.runOnce();
            h.restartWith(Map.of());
            try (java.sql.Connection c = h.stateDb().connect()) {
                c.createStatement().execute("DELETE FROM sync_line_rules");
            }
            Files.writeString(mapping, shipped.replace("time,taskWbsNumber,9001,1100", "time,taskWbsNumber,9001,1200"),
                    StandardCharsets.UTF_8);
            SyncRun upgraded = h.runOnce();
            assertThat(upgraded.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.FULL);
            Function<String[], String> day = k -> k[0] + "|" + k[1] + "|" + ("1100".equals(k[2]) ? "1200" : k[2]);
            assertSums("SAP after the upgrade's first run", h.sapTotals(), h.truth(day));
            assertSums("payroll_line after the upgrade's first run", h.jdbcTotals(), h.truth(day));
            assertThat(h.runOnce().passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.INCREMENTAL);
        }
    }

    private static Map<String, BigDecimal> before(Map<String, BigDecimal> sums, LocalDate day) {
        return sums.entrySet().stream().filter(e -> LocalDate.parse(e.getKey().split("\\|")[1]).isBefore(day)
                && e.getValue().signum() != 0).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    private static Map<String, BigDecimal> from(Map<String, BigDecimal> sums, LocalDate day) {
        return sums.entrySet().stream().filter(e -> !LocalDate.parse(e.getKey().split("\\|")[1]).isBefore(day))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    /**
     * A mapping edit made while absences are switched off reaches the absences delivered before once they
     * are switched on again: their feed is read in full then (it was read from its old watermark, so an
     * absence that did not change in Ditio kept its old wage type for good: outside audit).
     */
    @Test
    void aMappingEditMadeWhileAbsencesAreOffReachesThemWhenTheyComeBack(@TempDir Path dir) throws Exception {
        String shipped = Files.readString(AppProcess.projectRoot().resolve("mappings/wage-types.csv"), StandardCharsets.UTF_8);
        String edited = shipped.replace("absence,absenceTypeCode,BSYK,5120", "absence,absenceTypeCode,BSYK,5121");
        assertThat(edited).isNotEqualTo(shipped);
        Path mapping = dir.resolve("wage-types.csv");
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.absences", "true", "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertThat(h.truth(k -> k[2])).containsKey("5120");
            h.restartWith(Map.of("payroll.absences", "false"));
            h.runOnce();
            Files.writeString(mapping, edited, StandardCharsets.UTF_8);
            h.restartWith(Map.of("payroll.wage-types", mapping.toString()));
            h.runOnce();

            h.restartWith(Map.of("payroll.absences", "true"));
            SyncRun back = h.runOnce();

            assertThat(back.pass("absence").mode()).as("the absence feed, off while the mapping changed").isEqualTo(SyncRun.Mode.FULL);
            Function<String[], String> day = k -> k[0] + "|" + k[1] + "|" + ("5120".equals(k[2]) ? "5121" : k[2]);
            assertSums("SAP per employee x day x wage type", h.sapTotals(), h.truth(day));
            assertSums("payroll_line per employee x day x wage type", h.jdbcTotals(), h.truth(day));
            assertSums("CSV per employee x day x wage type", h.csvTotals(), h.truth(day));
            assertSums("Visma per employee x wage type", h.vismaTotals(),
                    h.truth(k -> k[0] + "|" + ("5120".equals(k[2]) ? "5121" : k[2])));
        }
    }

    @Test
    void aMappingEditMovesTheLinesDeliveredBeforeAndACommentEditMovesNothing(@TempDir Path dir) throws Exception {
        String shipped = Files.readString(AppProcess.projectRoot().resolve("mappings/wage-types.csv"), StandardCharsets.UTF_8);
        String edited = shipped.replace("time,taskWbsNumber,9001,1100", "time,taskWbsNumber,9001,1200");
        assertThat(edited).isNotEqualTo(shipped);
        Path mapping = dir.resolve("wage-types.csv");
        try (SyncHarness h = new SyncHarness(workers(), dir, LAST.minusWeeks(3), stateDb(dir),
                Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "before the edit");
            assertThat(h.truth(k -> k[2])).containsKey("1100");

            // no registration changed in Ditio: only the mapping did
            Files.writeString(mapping, edited, StandardCharsets.UTF_8);
            h.restartWith(Map.of("payroll.wage-types", mapping.toString()));
            SyncRun afterEdit = h.runOnce();
            assertThat(afterEdit.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.FULL);
            Function<String[], String> day = k -> k[0] + "|" + k[1] + "|" + ("1100".equals(k[2]) ? "1200" : k[2]);
            assertSums("SAP per employee x day x wage type after the edit", h.sapTotals(), h.truth(day));
            assertSums("payroll_line per employee x day x wage type after the edit", h.jdbcTotals(), h.truth(day));
            assertSums("CSV per employee x day x wage type after the edit", h.csvTotals(), h.truth(day));
            assertSums("Visma per employee x wage type after the edit", h.vismaTotals(),
                    h.truth(k -> k[0] + "|" + ("1100".equals(k[2]) ? "1200" : k[2])));
            assertSums("Tripletex per employee x wage type after the edit", h.tripletexTotals(),
                    h.truth(k -> k[0] + "|" + ("1100".equals(k[2]) ? "1200" : k[2])));

            // the file's comments and spacing edited, its rows the same: an ordinary incremental run
            Files.writeString(mapping, "# edited by the payroll office\n" + edited.replace(",", " , "), StandardCharsets.UTF_8);
            h.restartWith(Map.of());
            SyncRun commentEdit = h.runOnce();
            assertThat(commentEdit.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.INCREMENTAL);
            assertThat(commentEdit.files()).isEmpty();
        }
    }
}
