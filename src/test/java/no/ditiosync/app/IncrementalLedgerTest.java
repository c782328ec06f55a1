package no.ditiosync.app;

import no.ditiosync.ledger.LedgerDelta;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.TestDatabase;
import no.ditiosync.simulator.TimeRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.time.LocalDate;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static no.ditiosync.testing.DeliveredPayroll.assertSums;
import static org.assertj.core.api.Assertions.assertThat;

/** Incremental passes against the export ledger: exactly the difference, corrections included. */
class IncrementalLedgerTest {

    /** Every target there is: the two file formats correcting by offset (Visma, Tripletex, CSV), SAP's cancellations, the table. */
    static final String ALL_TARGETS = "visma,sap,tripletex,csv,jdbc";

    /** The state DB (and JDBC target) of each test: an H2 file here, PostgreSQL in {@link IncrementalLedgerOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    SyncHarness harness(SimulatorConfig config, Path dir, LocalDate start, Map<String, String> extra) {
        return new SyncHarness(config, dir, start, stateDb(dir), extra);
    }

    /** What payroll should hold per registration: "employee|date|wageType|project" and hours. */
    static Map<String, String[]> desired(SyncHarness h) {
        Map<String, String> users = h.employeesByUser();
        Map<String, String[]> m = new HashMap<>();
        for (TimeRegistration r : h.payrollReady()) {
            m.put(r.id(), new String[]{h.employee(r, users) + "|" + r.workDate() + "|" + SyncHarness.wageType(r) + "|"
                    + r.projectNumber(), r.qty().setScale(2, RoundingMode.HALF_UP).toPlainString()});
        }
        return m;
    }

    /** Lines each style must send to go from one state to the other, counted per changed key. */
    static int[] expectedLines(Map<String, String[]> before, Map<String, String[]> after) {
        int visma = 0;
        int sap = 0;
        int jdbc = 0;
        Set<String> ids = new HashSet<>(before.keySet());
        ids.addAll(after.keySet());
        for (String id : ids) {
            String[] b = before.get(id);
            String[] a = after.get(id);
            if (b == null) {
                visma++;
                sap++;
                jdbc++;
            } else if (a == null) {
                visma++;
                sap++;
                jdbc++;
            } else if (!b[0].equals(a[0]) || !b[1].equals(a[1])) {
                visma += b[0].equals(a[0]) ? 1 : 2;
                sap += 2;
                jdbc++;
            }
        }
        return new int[]{visma, sap, jdbc};
    }

    @Test
    void eachIncrementalRunDeliversOneLinePerKeyThatReallyChanged(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the full pass");
            Random random = new Random(2026);
            for (int round = 0; round < 6; round++) {
                Map<String, String[]> before = desired(h);
                h.ditio.data().randomMutations(random, 20);
                int[] expected = expectedLines(before, desired(h));

                SyncRun run = h.runOnce();

                // Tripletex and the CSV correct by offset, as Visma does: the same lines
                assertThat(new int[]{run.linesByTarget().get("visma"), run.linesByTarget().get("sap"),
                        run.linesByTarget().get("jdbc"), run.linesByTarget().get("tripletex"), run.linesByTarget().get("csv")})
                        .as("lines visma, sap, jdbc, tripletex, csv in round %d", round)
                        .containsExactly(expected[0], expected[1], expected[2], expected[0], expected[0]);
                for (String target : List.of("visma", "sap", "tripletex", "csv")) {
                    Path file = SyncHarness.fileOf(run, target);
                    assertThat(file).as("%s drop of round %d", target, round).isNotNull();
                    assertThat(h.lineCount(file)).as("lines in %s", file.getFileName()).isEqualTo(run.linesByTarget().get(target));
                }
                assertEveryTargetHoldsTheTruth(h, "after round " + round);
            }

            SyncRun again = h.runOnce();
            assertThat(again.files()).isEmpty();
            assertThat(again.linesByTarget()).containsOnlyKeys("visma", "sap", "tripletex", "csv", "jdbc")
                    .allSatisfy((target, lines) -> assertThat(lines).as(target).isZero());
        }
    }

    /**
     * A worker moved to another department: the targets that show a department (Visma, Tripletex, the CSV,
     * payroll_line) correct each of his lines; SAP, whose file has no department, gets nothing (it cancelled
     * and rebooked every line of his, each pair changing no pay: outside audit). A later change of his
     * hours still cancels the very document SAP holds.
     */
    @Test
    void aNewDepartmentReachesOnlyTheTargetsThatShowIt(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            SyncRun first = h.runOnce();
            TimeRegistration edited = h.payrollReady().get(0);
            int hisLines = (int) h.payrollReady().stream().filter(r -> r.userId().equals(edited.userId())).count();
            String sapDocument = LedgerDelta.documentNumber("time:" + edited.id(), 1);
            assertThat(DeliveredPayroll.body(SyncHarness.fileOf(first, "sap")))
                    .extracting(line -> DeliveredPayroll.fields(line, ';').get(1)).contains(sapDocument);

            h.ditio.data().setDepartment(edited.userId(), "Ny avdeling");
            SyncRun moved = h.runOnce();

            assertThat(moved.linesByTarget()).as("lines per target").containsEntry("sap", 0).containsEntry("jdbc", hisLines)
                    .containsEntry("visma", 2 * hisLines).containsEntry("tripletex", 2 * hisLines).containsEntry("csv", 2 * hisLines);
            assertThat(SyncHarness.fileOf(moved, "sap")).as("SAP drop").isNull();
            assertThat(DeliveredPayroll.csvRows(List.of(SyncHarness.fileOf(moved, "csv"))))
                    .filteredOn(row -> !row.get("quantity").startsWith("-")).extracting(row -> row.get("department"))
                    .hasSize(hisLines).containsOnly("Ny avdeling");
            assertEveryTargetHoldsTheTruth(h, "after the move");

            h.ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));
            SyncRun edit = h.runOnce();
            assertThat(DeliveredPayroll.body(SyncHarness.fileOf(edit, "sap"))).as("SAP drop of the edit")
                    .extracting(line -> DeliveredPayroll.fields(line, ';').subList(1, 3))
                    .containsExactly(List.of(sapDocument, "X"), List.of(LedgerDelta.documentNumber("time:" + edited.id(), 2), ""));
            assertEveryTargetHoldsTheTruth(h, "after the edit");
        }
    }

    /**
     * A department renamed beyond Visma's 30 characters is the same department in Visma's file: Visma
     * gets nothing (it got a reversal and a rebooking of each line, alike to the character; outside
     * audit), the targets that show it whole their corrections, and a later edit cancels what Visma holds.
     */
    @Test
    void aDepartmentRenamedBeyondVismasWidthIsNoCorrectionInVisma(@TempDir Path dir) throws Exception {
        String base = "Prosjektavdeling Bygg og Anlegg Region Vest";
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            TimeRegistration edited = h.payrollReady().get(0);
            int hisLines = (int) h.payrollReady().stream().filter(r -> r.userId().equals(edited.userId())).count();
            h.ditio.data().setDepartment(edited.userId(), base + " 1");
            h.runOnce();

            h.ditio.data().setDepartment(edited.userId(), base + " 2");
            SyncRun renamed = h.runOnce();

            assertThat(renamed.linesByTarget()).as("lines per target").containsEntry("visma", 0).containsEntry("sap", 0)
                    .containsEntry("tripletex", 2 * hisLines).containsEntry("csv", 2 * hisLines).containsEntry("jdbc", hisLines);
            assertThat(SyncHarness.fileOf(renamed, "visma")).as("Visma drop").isNull();
            assertEveryTargetHoldsTheTruth(h, "after the rename");

            h.ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));
            SyncRun edit = h.runOnce();
            assertThat(DeliveredPayroll.body(SyncHarness.fileOf(edit, "visma"))).as("Visma drop of the edit")
                    .extracting(line -> DeliveredPayroll.fields(line, ';').get(10)).containsOnly(base.substring(0, 30));
            assertEveryTargetHoldsTheTruth(h, "after the edit");
        }
    }

    /**
     * A worker's move to another department leaves SAP its own copy of each line (SAP holds the old
     * department): a description of 4000 characters that URL-encoding makes nine times as long no longer
     * overflows the ledger's column for such copies, which failed the run, and every run after it.
     */
    @Test
    void aLongNonLatinDescriptionSurvivesADepartmentMove(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            TimeRegistration edited = h.payrollReady().get(0);
            h.ditio.data().editDescription(edited.id(), "\u6DF7\u51DD\u571F".repeat(1400).substring(0, 4000));
            h.runOnce();
            h.ditio.data().setDepartment(edited.userId(), "Ny avdeling");
            h.runOnce();
            h.ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));
            SyncRun edit = h.runOnce();
            assertThat(DeliveredPayroll.body(SyncHarness.fileOf(edit, "sap"))).as("SAP drop of the edit")
                    .extracting(line -> DeliveredPayroll.fields(line, ';').subList(1, 3))
                    .containsExactly(List.of(LedgerDelta.documentNumber("time:" + edited.id(), 1), "X"),
                            List.of(LedgerDelta.documentNumber("time:" + edited.id(), 2), ""));
            assertEveryTargetHoldsTheTruth(h, "after the move and the edit");
        }
    }

    /**
     * A delivered registration Ditio sends again unreadable (its hours not a number) goes to quarantine, and
     * what was paid for it stays paid in every target, through a sync and a reconcile --deliver alike: the
     * hours were worked all the same, and a glitch in the data takes no salary back. Once Ditio sends it
     * readable, each target gets the difference to its hours as they are now.
     */
    @Test
    void aDeliveredRegistrationSentAgainUnreadableKeepsItsPaidHoursUntilItCanBeReadAgain(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            List<Map<String, BigDecimal>> paid = paid(h);
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.data().editHours(r.id(), r.qty().add(BigDecimal.ONE));
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"");

            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(r.id());
            assertThat(paid(h)).as("Visma, SAP, Tripletex, CSV and payroll_line after a sync met registration %s unreadable",
                    r.id()).isEqualTo(paid);
            h.app().reconcile("acme", null, null, true);
            assertThat(paid(h)).as("the same after a reconcile --deliver").isEqualTo(paid);
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(r.id());

            h.ditio.faults().clear();
            h.ditio.data().editDescription(r.id(), "rettet i Ditio");
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0]).doesNotContain(r.id());
            assertEveryTargetHoldsTheTruth(h, "once it could be read again, an hour more");
        }
    }

    /**
     * A registration held in quarantine with its paid hours (Ditio sent it again unreadable, an hour more)
     * stays held when its worker moves to another department: the line is not rebuilt from what was paid, which
     * would release it from the quarantine with nothing said and leave the hour Ditio holds now unpaid until the
     * record changes again (outside audit). Once Ditio sends it readable, it is paid as it is then, in the new
     * department.
     */
    @Test
    void aHeldRegistrationStaysHeldThroughItsWorkersMoveToAnotherDepartment(@TempDir Path dir) throws Exception {
        // no overlap: the run after the move does not read the record again (as a run an hour later would not)
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS,
                "sync.overlap", "PT0S"))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.data().editHours(r.id(), r.qty().add(BigDecimal.ONE));
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"");
            h.runOnce();
            // a run once Ditio's clock has passed the record's change by more than the second it sends: the runs
            // after it no longer read the record again
            java.time.Instant changed = h.ditio.data().timeRegistration(r.id()).orElseThrow().modifiedDateTime();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> h.ditio.config().clock().instant().isAfter(changed.plusSeconds(2)));
            h.runOnce();
            List<Map<String, BigDecimal>> paid = paid(h);

            h.ditio.data().setDepartment(r.userId(), "Ny avdeling");
            h.runOnce();
            assertThat(h.quarantine()).as("the quarantine after the move").extracting(q -> q[0]).contains(r.id());
            assertThat(paid(h)).as("hours paid after the move").isEqualTo(paid);

            h.ditio.faults().clear();
            h.ditio.data().editDescription(r.id(), "rettet i Ditio");
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0]).doesNotContain(r.id());
            assertEveryTargetHoldsTheTruth(h, "once it could be read again, an hour more");
            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT department FROM payroll_line WHERE line_id = 'time:"
                         + r.id() + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Ny avdeling");
            }
        }
    }

    /**
     * A reconcile of the day a held registration was paid on, while the version Ditio sends now lies on another
     * day outside the window (and cannot be read): the record is not gone, so what was paid for it stays, and it
     * stays in quarantine (outside audit: the reconcile reversed it).
     */
    @Test
    void aReconcileOfTheDayAHeldRegistrationWasPaidOnKeepsItWhileItsVersionNowLiesOutsideTheWindow(@TempDir Path dir)
            throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().stream().filter(x -> x.workDate().isBefore(LAST.minusDays(7))).findFirst()
                    .orElseThrow();
            LocalDate paidOn = r.workDate();
            h.ditio.data().moveWorkDate(r.id(), paidOn.plusDays(4));
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"");
            h.runOnce();
            List<Map<String, BigDecimal>> paid = paid(h);
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(r.id());

            h.app().reconcile(null, paidOn, paidOn, true);
            assertThat(paid(h)).as("hours paid after a reconcile --deliver of %s", paidOn).isEqualTo(paid);
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(r.id());
        }
    }

    /**
     * A held registration (Ditio sends its hours unreadable) then un-approved in Ditio, still unreadable: its approval
     * can be read, so it is no line, and every target takes its paid hours back (outside audit: they stayed paid).
     */
    @Test
    void aHeldRegistrationUnapprovedInDitioIsReversedThoughStillUnreadable(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"");
            h.ditio.data().editDescription(r.id(), "endret");
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(r.id());
            h.ditio.data().unapprove(r.id());
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the held registration was un-approved in Ditio");
            assertThat(h.quarantine()).extracting(q -> q[0]).doesNotContain(r.id());
        }
    }

    /** Un-approved and sent with a field that cannot be read, in one change after delivery: taken back (outside audit). */
    @Test
    void aDeliveredRegistrationSentUnapprovedWithAnUnreadableFieldIsReversed(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.data().unapprove(r.id());
            h.ditio.faults().corruptRecord(r.id(), "description", "{\"x\":1}");
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the registration came un-approved with an unreadable field");
        }
    }

    /** A held registration moved before the start date in Ditio, still unreadable: taken back (outside audit). */
    @Test
    void aHeldRegistrationMovedBeforeTheStartDateIsReversed(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"");
            h.runOnce();
            h.ditio.data().moveWorkDate(r.id(), LAST.minusWeeks(3).minusDays(3));
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the held registration moved before the start date");
        }
    }

    /**
     * A held registration whose work date cannot be read (its quarantine row has none), then deleted in Ditio
     * with a time before the incremental window, which the syncs cannot see: a reconcile of every day finds it
     * gone and takes its hours back (outside audit: no run ever could).
     */
    @Test
    void aHeldRegistrationWithoutAReadableDateDeletedUnseenIsReversedByAReconcileOfEveryDay(@TempDir Path dir)
            throws Exception {
        PayrollOfficerTest.LaggingClock clock = new PayrollOfficerTest.LaggingClock();
        try (SyncHarness h = harness(company().clock(clock), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.faults().corruptRecord(r.id(), "workDate", "\"gestern\"");
            h.ditio.data().editDescription(r.id(), "endret");
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0] + " " + q[1]).contains(r.id() + " unparseable workDate 'gestern'");
            clock.lag = java.time.Duration.ofHours(3);
            h.ditio.data().delete(r.id());
            clock.lag = java.time.Duration.ZERO;
            h.runOnce();
            h.app().reconcile(null, null, null, true);
            assertEveryTargetHoldsTheTruth(h, "after a reconcile --deliver of every day");
            assertThat(h.quarantine()).extracting(q -> q[0]).doesNotContain(r.id());
        }
    }

    /**
     * A delivered registration sent again with its hours and its approval flags unreadable (a number where true or
     * false belongs): nothing that can be read says it lost its approval, so it is held as paid and shown in the
     * quarantine (outside audit: the flags, read as false, reversed it unsaid).
     */
    @Test
    void aDeliveredRegistrationWhoseApprovalCannotBeReadEitherIsHeld(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            List<Map<String, BigDecimal>> paid = paid(h);
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"").corruptRecord(r.id(), "approved", "1")
                    .corruptRecord(r.id(), "payrollApproved", "1");
            h.ditio.data().editDescription(r.id(), "endret");
            h.runOnce();
            assertThat(paid(h)).as("hours paid while the registration cannot be read").isEqualTo(paid);
            assertThat(h.quarantine()).extracting(q -> q[0] + " " + q[1]).contains(r.id() + " unreadable qty: \"sju\" is not a number");
        }
    }

    /** The same for an absence: held as paid (outside audit). */
    @Test
    void aDeliveredAbsenceWhoseApprovalCannotBeReadEitherIsHeld(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS,
                "payroll.absences", "true"))) {
            h.runOnce();
            List<Map<String, BigDecimal>> paid = paid(h);
            no.ditiosync.simulator.Absence a = no.ditiosync.testing.PayrollTruth.payrollReadyAbsences(h.ditio.data(),
                    h.startDate).get(2);
            h.ditio.faults().corruptRecord(a.id(), "qty", "\"sju\"").corruptRecord(a.id(), "approved", "1")
                    .corruptRecord(a.id(), "payrollApproved", "1");
            h.ditio.data().editAbsenceHours(a.id(), a.qty());
            h.runOnce();
            assertThat(paid(h)).as("hours paid while the absence cannot be read").isEqualTo(paid);
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(a.id());
        }
    }

    /**
     * PAYROLL_SOURCE=payroll-lines: a delivered day sent again unreadable as a whole (its hours, or its payroll
     * approval, of the wrong type) is one quarantined part; the parts paid for it stay as paid (outside audit: they
     * were taken for gone and reversed).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {"qty|\"sju\"", "verified|1"})
    void aDeliveredPayrollDaySentUnreadableKeepsItsPaidParts(String field, String value, @TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.source", "payroll-lines",
                "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            List<Map<String, BigDecimal>> paid = paid(h);
            no.ditiosync.simulator.PayrollDay day = no.ditiosync.testing.PayrollTruth.payrollReadyDays(h.ditio.data(),
                    h.startDate).stream().filter(d -> !d.overtimeLines().isEmpty()).findFirst().orElseThrow();
            h.ditio.faults().corruptRecord(day.id(), field, value);
            h.ditio.data().setManualOvertime(day.userId(), day.date(), new BigDecimal("0.5")); // sent anew
            h.runOnce();
            assertThat(h.quarantine()).extracting(q -> q[0]).contains(day.id() + ":unreadable");
            assertThat(paid(h)).as("hours paid while the day cannot be read").isEqualTo(paid);
            h.app().reconcile(null, null, null, true);
            assertThat(paid(h)).as("the same after a reconcile --deliver").isEqualTo(paid);
        }
    }

    /**
     * A delivered registration un-approved in Ditio (its payroll approval readable) and sent with its hours and its
     * foreman's flag unreadable: the flag the gate reads says no line, so it is reversed (outside audit: held).
     */
    @Test
    void aRegistrationUnapprovedWhileAFlagTheGateDoesNotReadCannotBeReadIsReversed(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().get(5);
            h.ditio.faults().corruptRecord(r.id(), "qty", "\"sju\"").corruptRecord(r.id(), "approved", "1");
            h.ditio.data().unapprove(r.id());
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after the un-approval, its payroll approval readable");
            assertThat(h.quarantine()).extracting(q -> q[0]).doesNotContain(r.id());
        }
    }

    /**
     * PAYROLL_SOURCE=time+overtime: a delivered day sent unreadable while every registration of it is un-approved.
     * The registrations' hours are taken back, and so are the day's overtime and its deduction from the ordinary
     * hours (outside audit: held, they left the worker minus hours under the ordinary wage type and overtime paid
     * for a day without an approved hour).
     */
    @Test
    void aTimeAndOvertimeDaySentUnreadableFollowsItsRegistrations(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.source", "time+overtime",
                "payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            no.ditiosync.simulator.PayrollDay day = no.ditiosync.testing.PayrollTruth.payrollReadyDays(h.ditio.data(),
                    h.startDate).stream().filter(d -> d.overtimeLines().stream().anyMatch(l -> l.overtimeType() == 0))
                    .filter(d -> d.date().isBefore(LAST.minusDays(3))).findFirst().orElseThrow();
            h.ditio.faults().corruptRecord(day.id(), "verified", "1");
            h.payrollReady().stream().filter(r -> r.userId().equals(day.userId()) && r.workDate().equals(day.date()))
                    .forEach(r -> h.ditio.data().unapprove(r.id()));
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after every registration of the day was un-approved");
        }
    }

    /** What each target holds: Visma, SAP, Tripletex and the CSV summed by their keys, and payroll_line's totals. */
    private static List<Map<String, BigDecimal>> paid(SyncHarness h) throws Exception {
        return List.of(h.vismaTotals(), h.sapTotals(), h.tripletexTotals(), h.csvLineTotals(), h.jdbcTotals());
    }

    /** Every file target and payroll_line, summed the way each can be, equal Ditio's truth to the hundredth. */
    static void assertEveryTargetHoldsTheTruth(SyncHarness h, String when) throws Exception {
        assertSums("Visma per employee x wage type " + when, h.vismaTotals(), h.truth(k -> k[0] + "|" + k[2]));
        assertSums("SAP per employee x day x wage type " + when, h.sapTotals(), h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertSums("payroll_line per employee x day x wage type " + when, h.jdbcTotals(),
                h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertSums("Tripletex per employee x wage type " + when, h.tripletexTotals(), h.truth(k -> k[0] + "|" + k[2]));
        assertSums("Tripletex per employee x month x wage type " + when, h.tripletexMonthTotals(),
                h.truth(k -> k[0] + "|" + k[1].substring(0, 7) + "|" + k[2]));
        assertSums("CSV per employee x day x wage type " + when, h.csvTotals(), h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        assertSums("CSV per lineId x employee x day x wage type " + when, h.csvLineTotals(),
                h.truth(k -> k[4] + "|" + k[0] + "|" + k[1] + "|" + k[2]));
    }

    @Test
    void editDeleteAndUnapproveAfterExportAreCorrectedInEachTargetsStyle(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            List<TimeRegistration> ready = h.payrollReady();
            TimeRegistration edited = ready.get(0);
            TimeRegistration deleted = ready.get(1);
            TimeRegistration unapproved = ready.get(2);
            BigDecimal newHours = edited.qty().subtract(new BigDecimal("1.50"));
            h.ditio.data().editHours(edited.id(), newHours);
            h.ditio.data().delete(deleted.id());
            h.ditio.data().unapprove(unapproved.id());

            SyncRun run = h.runOnce();

            Path visma = h.filesOf("visma").get(1);
            List<String> vismaLines = Files.readAllLines(visma, Charset.forName("windows-1252"));
            assertThat(vismaLines).extracting(l -> l.split(";")[5]).containsExactlyInAnyOrder("-1.50",
                    "-" + deleted.qty().setScale(2, RoundingMode.HALF_UP), "-" + unapproved.qty().setScale(2, RoundingMode.HALF_UP));

            List<String> sap = Files.readAllLines(h.filesOf("sap").get(1), StandardCharsets.UTF_8);
            List<String> firstSap = Files.readAllLines(h.filesOf("sap").get(0), StandardCharsets.UTF_8);
            // three cancellations of documents from the first file, one new document for the edited line
            assertThat(sap.subList(1, sap.size())).filteredOn(l -> l.split(";")[2].equals("X")).hasSize(3)
                    .allSatisfy(l -> assertThat(firstSap).anySatisfy(f -> assertThat(f.split(";")[1]).isEqualTo(l.split(";")[1])));
            assertThat(sap.subList(1, sap.size())).filteredOn(l -> l.split(";")[2].isEmpty())
                    .extracting(l -> l.split(";")[6]).containsExactly(newHours.setScale(2, RoundingMode.HALF_UP).toPlainString());

            try (Connection c = h.stateDb().connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT source_id, status, quantity FROM payroll_line "
                         + "WHERE source_id IN ('" + edited.id() + "','" + deleted.id() + "','" + unapproved.id() + "')")) {
                Map<String, String> rows = new HashMap<>();
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2) + " " + rs.getBigDecimal(3).toPlainString());
                }
                assertThat(rows).containsEntry(edited.id(), "active " + newHours.setScale(2, RoundingMode.HALF_UP))
                        .containsEntry(deleted.id(), "cancelled " + deleted.qty().setScale(2, RoundingMode.HALF_UP))
                        .containsEntry(unapproved.id(), "cancelled " + unapproved.qty().setScale(2, RoundingMode.HALF_UP));
            }
            // Tripletex and the CSV offset as Visma does; the CSV under each registration's own lineId
            String[] corrections = {"-1.50", "-" + deleted.qty().setScale(2, RoundingMode.HALF_UP),
                    "-" + unapproved.qty().setScale(2, RoundingMode.HALF_UP)};
            assertThat(DeliveredPayroll.tripletexLines(List.of(h.filesOf("tripletex").get(1)), StandardCharsets.UTF_8))
                    .extracting(c -> c.get(5)).containsExactlyInAnyOrder(corrections);
            assertThat(DeliveredPayroll.csvRows(List.of(h.filesOf("csv").get(1))))
                    .extracting(r -> r.get("lineId") + " " + r.get("quantity")).containsExactlyInAnyOrder(
                            "time:" + edited.id() + " " + corrections[0], "time:" + deleted.id() + " " + corrections[1],
                            "time:" + unapproved.id() + " " + corrections[2]);
            assertThat(run.linesByTarget()).containsEntry("visma", 3).containsEntry("sap", 4).containsEntry("jdbc", 3)
                    .containsEntry("tripletex", 3).containsEntry("csv", 3);
        }
    }

    /**
     * payroll_line row by row, every column (docs/output-formats.md, "JDBC target"): upserted by line id
     * with the current truth, lineage back to Ditio (source, source_id, source_modified), the run
     * that last changed it and when; an edit updates the row, a deletion cancels it and keeps the
     * hours that were delivered, and a row no run touched keeps its run.
     */
    @Test
    void payrollLineRowsHoldTheTruthWithTheirRunAndLineage(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            List<SyncRun> runs = new java.util.ArrayList<>(List.of(h.runOnce()));
            SyncRun full = runs.get(0);
            Map<String, String> users = h.employeesByUser();
            List<TimeRegistration> ready = h.payrollReady().stream()
                    .filter(r -> r.description() != null && r.projectNumber() != null && r.taskWbsNumber() != null).toList();
            TimeRegistration untouched = ready.get(0);
            TimeRegistration edited = ready.get(1);
            TimeRegistration deleted = ready.get(2);
            TimeRegistration described = ready.get(3);
            assertThat(row(h, untouched, runs)).isEqualTo(expectedRow(h, untouched, users, "active", full));
            assertThat(row(h, edited, runs)).isEqualTo(expectedRow(h, edited, users, "active", full));

            TimeRegistration afterEdit = h.ditio.data().editHours(edited.id(), edited.qty().add(new BigDecimal("0.25")));
            SyncRun edit = h.runOnce();
            runs.add(edit);
            assertThat(row(h, edited, runs)).isEqualTo(expectedRow(h, afterEdit, users, "active", edit));

            // only the description edited: no hours change for the files, but the row holds the current text
            TimeRegistration afterText = h.ditio.data().editDescription(described.id(), "Forskaling, akse B–C (rettet)");
            SyncRun textEdit = h.runOnce();
            runs.add(textEdit);
            assertThat(row(h, described, runs)).isEqualTo(expectedRow(h, afterText, users, "active", textEdit));
            assertThat(textEdit.linesByTarget()).containsEntry("jdbc", 1)
                    .allSatisfy((target, lines) -> assertThat(lines).as(target).isEqualTo(target.equals("jdbc") ? 1 : 0));

            h.ditio.data().delete(deleted.id());
            SyncRun delete = h.runOnce();
            runs.add(delete);
            // the row stays, with the hours it held and its lineage; status and run say it was taken back
            assertThat(row(h, deleted, runs)).isEqualTo(expectedRow(h, deleted, users, "cancelled", delete));
            assertThat(row(h, untouched, runs)).isEqualTo(expectedRow(h, untouched, users, "active", full));
            assertThat(row(h, edited, runs)).isEqualTo(expectedRow(h, afterEdit, users, "active", edit));
            // read again in the delete run's overlap window, unchanged: not written again
            assertThat(row(h, described, runs)).isEqualTo(expectedRow(h, afterText, users, "active", textEdit));

            // the files' next correction of that line starts from the hours they hold
            h.ditio.data().editHours(described.id(), described.qty().add(new BigDecimal("1.00")));
            h.runOnce();
            assertEveryTargetHoldsTheTruth(h, "after an hours edit of a line whose text changed before");
        }
    }

    private static final List<String> PAYROLL_LINE_COLUMNS = List.of("line_id", "company", "employee_number",
            "work_date", "wage_type", "quantity", "project_number", "task_number", "department", "text", "status",
            "source", "source_id", "source_modified", "run_id", "delivered_at");

    /** The row of one registration, each column as text; delivered_at as "within run <id>", the last run started before it. */
    private static Map<String, String> row(SyncHarness h, TimeRegistration r, List<SyncRun> runs) throws Exception {
        try (Connection c = h.stateDb().connect();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT " + String.join(", ", PAYROLL_LINE_COLUMNS)
                     + " FROM payroll_line WHERE source_id = ?")) {
            ps.setString(1, r.id());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("payroll_line row of %s", r.id()).isTrue();
                Map<String, String> row = new java.util.LinkedHashMap<>();
                for (String column : PAYROLL_LINE_COLUMNS) {
                    row.put(column, switch (column) {
                        case "work_date" -> rs.getObject(column, LocalDate.class).toString();
                        case "quantity" -> rs.getBigDecimal(column).toPlainString();
                        case "source_modified" -> rs.getObject(column, java.time.OffsetDateTime.class).toInstant().toString();
                        case "delivered_at" -> within(rs.getObject(column, java.time.OffsetDateTime.class).toInstant(), runs);
                        default -> rs.getString(column);
                    });
                }
                assertThat(rs.next()).as("one row per line id").isFalse();
                return row;
            }
        }
    }

    private static String within(java.time.Instant deliveredAt, List<SyncRun> runs) {
        assertThat(deliveredAt).as("delivered_at").isBeforeOrEqualTo(java.time.Instant.now());
        SyncRun last = null;
        for (SyncRun run : runs) {
            if (!run.startedAt().isAfter(deliveredAt)) {
                last = run;
            }
        }
        return last == null ? "before every run: " + deliveredAt : "within run " + last.runId();
    }

    private static Map<String, String> expectedRow(SyncHarness h, TimeRegistration r, Map<String, String> users,
                                                   String status, SyncRun run) {
        String department = h.ditio.data().users().stream().filter(u -> u.identityUserId().equals(r.userId()))
                .findFirst().orElseThrow().department();
        Map<String, String> row = new java.util.LinkedHashMap<>();
        row.put("line_id", "time:" + r.id());
        row.put("company", "acme");
        row.put("employee_number", h.employee(r, users));
        row.put("work_date", r.workDate().toString());
        row.put("wage_type", SyncHarness.wageType(r));
        row.put("quantity", r.qty().setScale(2, RoundingMode.HALF_UP).toPlainString());
        row.put("project_number", r.projectNumber());
        row.put("task_number", r.taskWbsNumber());
        row.put("department", department);
        row.put("text", r.description());
        row.put("status", status);
        row.put("source", "time");
        row.put("source_id", r.id());
        row.put("source_modified", r.modifiedDateTime().toString());
        row.put("run_id", run.runId());
        row.put("delivered_at", "within run " + run.runId());
        return row;
    }

    @Test
    void equalTimestampsAcrossPageBoundaryAndOverlapAreNeitherLostNorRepeated(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("ditio.chunk-limit", "40"))) {
            h.runOnce();
            Map<String, String> users = h.employeesByUser();
            List<String> waiting = h.ditio.data().liveTimeRegistrations().stream()
                    .filter(r -> !r.payrollApproved() && h.employee(r, users) != null).map(TimeRegistration::id).toList();
            h.ditio.data().payrollApprove(waiting.subList(0, waiting.size() / 2));

            SyncRun first = h.runOnce();
            assertThat(first.linesByTarget()).containsEntry("visma", waiting.size() / 2);

            // the next pass starts inside the overlap window: it sees the bulk approval again, delivers nothing
            SyncRun overlap = h.runOnce();
            assertThat(overlap.recordsRead()).isGreaterThanOrEqualTo(waiting.size() / 2);
            assertThat(overlap.files()).isEmpty();

            h.ditio.data().payrollApprove(waiting.subList(waiting.size() / 2, waiting.size()));
            SyncRun second = h.runOnce();
            assertThat(second.linesByTarget()).containsEntry("visma", waiting.size() - waiting.size() / 2);
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            assertThat(h.sapTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]));
        }
    }

    /**
     * Registrations dated more than a year ahead: a full pass reads them, so one within
     * PAYROLL_MAX_FUTURE_DAYS is delivered and one beyond it is quarantined with its reason (a pass that
     * stopped a year ahead left both unread, and a full pass after a mapping change did not re-map them).
     */
    @Test
    void aFullPassReadsRegistrationsDatedFarAhead(@TempDir Path dir) throws Exception {
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3),
                Map.of("payroll.targets", ALL_TARGETS, "payroll.max-future-days", "3660"))) {
            String user = h.payrollReady().get(0).userId();
            TimeRegistration inReach = h.ditio.data().addRegistration(user, today.plusDays(400), new BigDecimal("6.25"), true);
            // a year's typo: 2206 for 2026
            TimeRegistration beyond = h.ditio.data().addRegistration(user, today.plusYears(180), new BigDecimal("5"), true);
            h.runOnce();
            assertThat(h.quarantine()).as("quarantined").anySatisfy(q -> assertThat(q).containsExactly(beyond.id(),
                    "work date " + beyond.workDate() + " is more than 3660 days in the future (PAYROLL_MAX_FUTURE_DAYS)"));
            assertThat(h.quarantine()).noneSatisfy(q -> assertThat(q[0]).isEqualTo(inReach.id()));
            h.ditio.data().delete(beyond.id());
            h.runOnce();
            assertThat(h.quarantine()).noneSatisfy(q -> assertThat(q[0]).isEqualTo(beyond.id()));
            assertThat(h.jdbcTotals()).containsEntry(h.employee(inReach, h.employeesByUser()) + "|" + inReach.workDate()
                    + "|" + SyncHarness.wageType(inReach), new BigDecimal("6.25"));
            assertEveryTargetHoldsTheTruth(h, "with a registration 400 days ahead");
        }
    }

    /**
     * A work date written with an offset after a local midnight is the day written; a server that reads
     * it as a UTC instant files it under the day before. A reconcile of the day written (or a full pass
     * from it) must still find the record, not reverse its delivered hours; a reconcile of the day before
     * must not deliver it there.
     */
    @Test
    void aWorkDateWithAnOffsetIsFoundByEveryWindowThatHoldsIt(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            TimeRegistration r = h.payrollReady().stream().filter(x -> x.workDate().isBefore(LAST)).findFirst().orElseThrow();
            LocalDate written = r.workDate().plusDays(1);
            // served on its own day (a UTC midnight's day before) but written as the next day's local midnight
            h.ditio.faults().corruptRecord(r.id(), "workDate", "\"" + written + "T00:00:00+02:00\"");
            String key = h.employee(r, h.employeesByUser()) + "|" + written + "|" + SyncHarness.wageType(r);
            h.runOnce();
            Map<String, BigDecimal> delivered = h.jdbcTotals();
            assertThat(delivered).containsKey(key);

            SyncRun dayWritten = h.app().reconcile(null, written, written, true);
            SyncRun dayBefore = h.app().reconcile(null, r.workDate(), r.workDate(), true);
            assertThat(dayWritten.linesByTarget()).as("lines of the reconcile of " + written).containsOnlyKeys(
                    ALL_TARGETS.split(",")).allSatisfy((target, lines) -> assertThat(lines).isZero());
            assertThat(dayBefore.linesByTarget()).as("lines of the reconcile of " + r.workDate())
                    .allSatisfy((target, lines) -> assertThat(lines).isZero());
            assertThat(h.jdbcTotals()).isEqualTo(delivered);
            assertThat(h.csvLineTotals()).containsKey("time:" + r.id() + "|" + key);
        }
    }

    /**
     * A reconcile reads a day more on each side of its window and leaves those days alone: also a record
     * there that has since become unreadable (another field than its work date) is neither reversed nor
     * quarantined by it.
     */
    @Test
    void aReconcileLeavesTheDaysBesideItsWindowAloneThoughARecordThereIsUnreadable(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            TimeRegistration r = h.payrollReady().stream().filter(x -> x.workDate().isBefore(LAST)).findFirst().orElseThrow();
            h.runOnce();
            Map<String, BigDecimal> delivered = h.jdbcTotals();
            List<String[]> quarantine = h.quarantine();
            h.ditio.faults().corruptRecord(r.id(), "description", "{\"a\":1}");
            SyncRun dayAfter = h.app().reconcile(null, r.workDate().plusDays(1), r.workDate().plusDays(1), true);
            assertThat(dayAfter.linesByTarget()).as("lines of the reconcile of the day after")
                    .allSatisfy((target, lines) -> assertThat(lines).isZero());
            assertThat(h.jdbcTotals()).isEqualTo(delivered);
            assertThat(h.quarantine()).usingRecursiveComparison().isEqualTo(quarantine);
        }
    }

    /**
     * A worker's new employee number that Ditio stamped with an older modification time (before the
     * incremental window): the incremental run cannot see it, a reconcile reports it and delivers it.
     */
    @Test
    void aReconcileFindsAnEmployeeNumberChangedBeforeTheIncrementalWindow(@TempDir Path dir) throws Exception {
        PayrollOfficerTest.LaggingClock clock = new PayrollOfficerTest.LaggingClock();
        try (SyncHarness h = harness(company().clock(clock), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().stream()
                    .filter(x -> x.userEmployeeNumber() == null || x.userEmployeeNumber().isBlank()).findFirst().orElseThrow();
            clock.lag = java.time.Duration.ofHours(3);
            h.ditio.data().setEmployeeNumber(r.userId(), "7777");
            clock.lag = java.time.Duration.ZERO;
            assertThat(h.runOnce().linesByTarget()).as("the incremental run does not see it")
                    .allSatisfy((target, lines) -> assertThat(lines).isZero());

            SyncRun found = h.app().reconcile(null, null, null, false);
            assertThat(ReconcileReport.of(found).driftingKeys).as("keys drifting").isNotEmpty();
            h.app().reconcile(null, null, null, true);
            assertEveryTargetHoldsTheTruth(h, "after reconcile --deliver");
            assertThat(h.jdbcTotals().keySet()).anyMatch(k -> k.startsWith("7777|"));
            assertThat(ReconcileReport.of(h.app().reconcile(null, null, null, false)).driftingKeys).isEmpty();
            assertThat(h.runOnce().files()).as("the next sync").isEmpty();
        }
    }

    /**
     * A reconcile of one day that changes a key outside it (a registration Ditio moved into the day, stamped
     * with an older time, leaves its old day): that key's rows give the difference alone, not hours the
     * ledger was not read for (outside audit: a negative "ditio_hours").
     */
    @Test
    void aReconcileOfOneDayGivesOnlyTheDifferenceOfKeysOutsideIt(@TempDir Path dir) throws Exception {
        PayrollOfficerTest.LaggingClock clock = new PayrollOfficerTest.LaggingClock();
        try (SyncHarness h = harness(company().clock(clock), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().stream().filter(x -> x.workDate().isBefore(LAST.minusDays(7))).findFirst().orElseThrow();
            LocalDate day = r.workDate().plusDays(3);
            clock.lag = java.time.Duration.ofHours(3);
            h.ditio.data().moveWorkDate(r.id(), day);
            clock.lag = java.time.Duration.ZERO;

            ReconcileReport report = ReconcileReport.of(h.app().reconcile(null, day, day, false));

            Map<String, BigDecimal> truth = h.truth(k -> k[0] + "|" + k[1] + "|" + k[2]);
            assertThat(report.drift).extracting(d -> d.key().workDate()).containsOnly(r.workDate(), day);
            for (ReconcileReport.Drift d : report.drift) {
                String key = d.key().employeeNumber() + "|" + d.key().workDate() + "|" + d.key().wageType();
                if (d.key().workDate().equals(day)) {
                    assertThat(d.ditio()).as("Ditio's hours of %s", key).isEqualByComparingTo(truth.getOrDefault(key, BigDecimal.ZERO));
                    assertThat(d.ditio().subtract(d.delivered())).isEqualByComparingTo(d.difference());
                } else {
                    assertThat(d.ditio()).as("%s outside the window", key).isNull();
                    assertThat(d.delivered()).isNull();
                    assertThat(d.difference()).isEqualByComparingTo(r.qty().negate());
                }
            }
            h.app().reconcile(null, day, day, true);
            assertEveryTargetHoldsTheTruth(h, "after reconcile --deliver of the day");
        }
    }

    @Test
    void quarantinedRecordIsDeliveredOnceWhenItsUserGetsAnEmployeeNumber(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            SyncRun first = h.runOnce();
            assertThat(first.quarantinedCount()).isPositive();
            String quarantinedId = h.quarantine().get(0)[0];
            String userId = h.ditio.data().timeRegistration(quarantinedId).orElseThrow().userId();

            h.ditio.data().setEmployeeNumber(userId, "4711");
            SyncRun released = h.runOnce();
            long expected = h.payrollReady().stream().filter(r -> r.userId().equals(userId)).count();
            assertThat(expected).isPositive();
            assertThat(released.linesByTarget()).containsEntry("visma", (int) expected);
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
            List<String[]> stillQuarantined = h.quarantine();
            assertThat(stillQuarantined).noneMatch(q -> h.ditio.data().timeRegistration(q[0]).orElseThrow().userId().equals(userId));

            SyncRun again = h.runOnce();
            assertThat(again.files()).isEmpty();
        }
    }

    @Test
    void aQuarantinedRecordIsWrittenAgainOnlyWhenItChanged(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            SyncRun first = h.runOnce();
            Map<String, List<String>> before = quarantineRows(h);
            String edited = h.quarantine().stream().filter(q -> q[1].startsWith("no employee number")).findFirst()
                    .orElseThrow()[0];
            String user = h.ditio.data().timeRegistration(edited).orElseThrow().userId();
            assertThat(before).hasSizeGreaterThan(2).allSatisfy((id, row) -> assertThat(row.subList(0, 2))
                    .containsExactly(first.runId(), first.runId()));

            h.ditio.data().editHours(edited, new BigDecimal("3.25"));
            String late = h.ditio.data().addRegistration(user, LAST, new BigDecimal("2.5"), true).id();
            SyncRun second = h.runOnce();

            // every record is mapped again; only the edited one and the new one are written
            Map<String, List<String>> after = quarantineRows(h);
            assertThat(after.keySet()).containsAll(before.keySet()).contains(late).hasSize(before.size() + 1);
            assertThat(after.get(edited).subList(0, 3)).containsExactly(first.runId(), second.runId(), "3.25");
            assertThat(after.get(late).subList(0, 3)).containsExactly(second.runId(), second.runId(), "2.5");
            before.keySet().stream().filter(id -> !id.equals(edited)).forEach(id ->
                    assertThat(after.get(id)).as("untouched (PostgreSQL: the same row version): " + id).isEqualTo(before.get(id)));
        }
    }

    /** Per quarantined record: the runs that first and last held it, its hours, and (PostgreSQL) its row version. */
    private static Map<String, List<String>> quarantineRows(SyncHarness h) throws Exception {
        Map<String, List<String>> rows = new HashMap<>();
        try (Connection c = h.stateDb().connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT record_id, first_run_id, last_run_id, qty, " + (h.stateDb().isPostgres() ? "xmin::text" : "''")
                        + " FROM quarantine")) {
            while (rs.next()) {
                rows.put(rs.getString(1), List.of(rs.getString(2), rs.getString(3),
                        rs.getBigDecimal(4).stripTrailingZeros().toPlainString(), rs.getString(5)));
            }
        }
        return rows;
    }

    @Test
    void twoRunsOfTheSameFeedNeverOverlap(@TempDir Path dir) throws Exception {
        try (SyncHarness h = harness(company(), dir, LAST.minusWeeks(3), Map.of())) {
            h.ditio.faults().pageDelayMillis(300);
            var first = java.util.concurrent.CompletableFuture.supplyAsync(h::runOnce);
            org.awaitility.Awaitility.await().until(() -> h.ditio.pagesServed() > 0);

            org.assertj.core.api.Assertions.assertThatThrownBy(h::runOnce)
                    .isInstanceOf(no.ditiosync.run.FeedBusyException.class)
                    .hasMessage("another run of feed 'time' for company 'acme' is still busy; this run was skipped");

            h.ditio.faults().clear();
            assertThat(first.get().linesByTarget().get("visma")).isEqualTo(h.payrollReady().size());
            assertThat(h.vismaTotals()).isEqualTo(h.truth(k -> k[0] + "|" + k[2]));
        }
    }
}
