package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.Absence;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Absences (/v1/absence-registrations) as a second feed of the same run, through the same ledger. */
class AbsenceFeedTest {

    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    SyncHarness harness(Path dir, Map<String, String> settings) {
        return new SyncHarness(company(), dir, LAST.minusWeeks(3), stateDb(dir), settings);
    }

    static final Map<String, String> ABSENCES_ON = Map.of("payroll.absences", "true", "payroll.targets", ALL_TARGETS);

    @Test
    void absencesReachEveryTargetBesideTimeAndStayExactThroughRandomChanges(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, ABSENCES_ON)) {
            h.runOnce();
            List<Absence> ready = PayrollTruth.payrollReadyAbsences(h.ditio.data(), h.startDate);
            assertThat(ready).as("payroll-ready absences").hasSizeGreaterThan(5);
            assertEveryTargetHoldsTheTruth(h, "after the full pass");
            assertThat(h.csvLineTotals()).containsKey("absence:" + ready.get(0).id() + "|"
                    + DeliveredPayroll.normalEmployee(h.truthLine("absence:" + ready.get(0).id()).employee()) + "|"
                    + ready.get(0).date() + "|" + PayrollTruth.absenceWageType(ready.get(0)));

            Random random = new Random(2027);
            int absenceChanges = 0;
            for (int round = 0; round < 4; round++) {
                List<String> done = h.ditio.data().randomMutations(random, 30);
                absenceChanges += (int) done.stream().filter(d -> d.contains(" absence ")).count();
                h.runOnce();
                assertEveryTargetHoldsTheTruth(h, "after round " + round);
            }
            assertThat(absenceChanges).as("absence edits, approvals, un-approvals, deletions and late ones").isGreaterThan(8);

            SyncRun again = h.runOnce();
            assertThat(again.files()).isEmpty();
        }
    }

    @Test
    void editDeleteAndUnapproveOfDeliveredAbsencesAreCorrectedUnderTheirOwnLineIds(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, ABSENCES_ON)) {
            h.runOnce();
            List<Absence> fullDays = PayrollTruth.payrollReadyAbsences(h.ditio.data(), h.startDate).stream()
                    .filter(a -> a.qty().compareTo(new BigDecimal("7.5")) == 0).toList();
            Absence edited = fullDays.get(0);
            Absence deleted = fullDays.get(1);
            Absence unapproved = fullDays.get(2);
            h.ditio.data().editAbsenceHours(edited.id(), new BigDecimal("4"));
            h.ditio.data().deleteAbsence(deleted.id());
            h.ditio.data().unapproveAbsence(unapproved.id());

            SyncRun run = h.runOnce();

            assertThat(DeliveredPayroll.csvRows(List.of(SyncHarness.fileOf(run, "csv"))))
                    .extracting(r -> r.get("lineId") + " " + r.get("wageType") + " " + r.get("quantity"))
                    .containsExactlyInAnyOrder(
                            "absence:" + edited.id() + " " + PayrollTruth.absenceWageType(edited) + " -3.50",
                            "absence:" + deleted.id() + " " + PayrollTruth.absenceWageType(deleted) + " -7.50",
                            "absence:" + unapproved.id() + " " + PayrollTruth.absenceWageType(unapproved) + " -7.50");
            assertThat(run.linesByTarget()).containsEntry("visma", 3).containsEntry("sap", 4).containsEntry("jdbc", 3);
            assertEveryTargetHoldsTheTruth(h, "after the corrections");
        }
    }

    @Test
    void anUnmappedCodeIsQuarantinedWithTheReasonAndAMissingEmployeeNumberComesFromTheUser(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, ABSENCES_ON)) {
            h.runOnce();
            Map<String, String> users = h.employeesByUser();
            // a user whose rows carry no employee number while /v1/user has one
            var r = h.ditio.data().liveTimeRegistrations().stream().filter(t -> (t.userEmployeeNumber() == null
                    || t.userEmployeeNumber().isEmpty()) && users.get(t.userId()) != null).findFirst().orElseThrow();
            Absence course = h.ditio.data().addAbsence(r.userId(), LAST.minusDays(3), "KURS", new BigDecimal("7.5"), true);
            Absence sick = h.ditio.data().addAbsence(r.userId(), LAST.minusDays(2), "SYK", new BigDecimal("7.5"), true);
            assertThat(sick.employeeNumber()).isNullOrEmpty();

            SyncRun run = h.runOnce();

            assertThat(h.quarantine()).anySatisfy(q -> assertThat(q).containsExactly(course.id(),
                    "no wage type in mappings/wage-types.csv for absence (absenceTypeCode=KURS)"));
            assertThat(DeliveredPayroll.csvRows(List.of(SyncHarness.fileOf(run, "csv"))))
                    .extracting(row -> row.get("lineId") + " " + row.get("employeeNumber") + " " + row.get("quantity"))
                    .containsExactly("absence:" + sick.id() + " " + users.get(r.userId()) + " 7.50");
            assertEveryTargetHoldsTheTruth(h, "with the course quarantined");
        }
    }

    /**
     * A worker's new employee number and department reach the absences delivered before even when they
     * change while absences are switched off: the runs then map his time lines again, not his absences,
     * so the absence feed is read in full when it is switched on again.
     */
    @Test
    void aWorkerMovedWhileAbsencesAreOffHasHisAbsencesFollowWhenTheyComeBack(@TempDir Path dir) throws Exception {
        // Ditio's clock two hours back while his absence is made, so no run's overlap reads it again by chance
        AtomicReference<Duration> behind = new AtomicReference<>(Duration.ofHours(2));
        Clock ditioClock = new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.now().minus(behind.get()); }
        };
        try (SyncHarness h = new SyncHarness(company().clock(ditioClock), dir, LAST.minusWeeks(3), stateDb(dir), ABSENCES_ON)) {
            // a worker whose number comes from /v1/user, not from his records
            String worker = h.ditio.data().liveTimeRegistrations().stream()
                    .filter(r -> r.userEmployeeNumber() == null || r.userEmployeeNumber().isEmpty())
                    .map(r -> r.userId()).filter(u -> h.employeesByUser().get(u) != null).findFirst().orElseThrow();
            Absence absence = h.ditio.data().addAbsence(worker, LAST.minusDays(3), "SYK", new BigDecimal("7.5"), true);
            behind.set(Duration.ZERO);
            h.runOnce();
            h.restartWith(Map.of("payroll.absences", "false"));
            h.runOnce();
            h.ditio.data().setEmployeeNumber(worker, "77001");
            h.ditio.data().setDepartment(worker, "Ny avdeling");
            h.runOnce();

            h.restartWith(Map.of("payroll.absences", "true"));
            SyncRun back = h.runOnce();

            assertEveryTargetHoldsTheTruth(h, "absences back on");
            assertThat(back.pass("absence").mode()).as("the absence feed, off while the worker moved").isEqualTo(SyncRun.Mode.FULL);
            assertThat(h.truth(k -> k[0])).containsKey("77001");
            try (var c = h.stateDb().connect(); var rs = c.createStatement().executeQuery("SELECT employee_number, department "
                    + "FROM payroll_line WHERE status = 'active' AND line_id = 'absence:" + absence.id() + "'")) {
                assertThat(rs.next()).as("his absence in payroll_line").isTrue();
                assertThat(rs.getString(1) + " / " + rs.getString(2)).isEqualTo("77001 / Ny avdeling");
            }
            assertThat(h.runOnce().files()).isEmpty();
        }
    }

    @Test
    void absencesSwitchedOnLaterGetTheirOwnFullPassAndAFailedPassMovesNoWatermark(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(dir, Map.of())) {
            h.runOnce();
            Map<String, String> timeOnly = h.watermarks();
            assertThat(timeOnly).containsOnlyKeys("time", "user", "project");

            h.restartWith(Map.of("payroll.absences", "true"));
            var edited = h.payrollReady().get(0);
            h.ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));
            // users, projects, time registrations since the watermark (1 page each), then the absences' first page fails
            h.ditio.faults().failAt((int) h.ditio.faults().dataCalls() + 4, 400);
            assertThatThrownBy(h::runOnce).hasMessageContaining("/v1/absence-registrations").hasMessageContaining("400");
            assertThat(h.watermarks()).as("neither the time nor the absence watermark moved").isEqualTo(timeOnly);
            assertThat(h.filesOf("visma")).hasSize(1);

            SyncRun run = h.runOnce();
            assertThat(run.mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(run.pass("absence").mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(run.pass("time").mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertThat(run.linesByTarget().get("visma")).as("the edit, and every payroll-ready absence")
                    .isEqualTo(1 + PayrollTruth.payrollReadyAbsences(h.ditio.data(), h.startDate).size());
            assertThat(h.watermarks()).containsOnlyKeys("time", "absence", "user", "project")
                    .allSatisfy((feed, at) -> assertThat(java.time.Instant.parse(at)).as("the run's start, to the microsecond")
                            .isCloseTo(run.startedAt(), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MICROS)));
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(edited.qty().setScale(2, RoundingMode.HALF_UP)).isPositive();
        }
    }
}
