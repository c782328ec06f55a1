package no.ditiosync.conformance;

import no.ditiosync.app.SyncApplication;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.ScriptedDitio;
import no.ditiosync.testing.ScriptedDitio.Answer;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static no.ditiosync.conformance.DitioConformanceTest.START;
import static no.ditiosync.conformance.DitioConformanceTest.pages;
import static no.ditiosync.conformance.DitioConformanceTest.payrollDay;
import static no.ditiosync.conformance.DitioConformanceTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * A target switched off keeps what it held while the others' lines change; switched on again, the run
 * brings it to what the others hold, in the same commit as the run's own changes, without a reconcile
 * (outside audit: an ordinary sync paid a day twice there, and a worker's move left a line under his old
 * number). A target never switched on before gets no history: that is reconcile --deliver's, over the
 * window its payroll wants.
 */
class TargetSwitchedOnAgainTest {

    @TempDir
    Path dir;
    final ScriptedDitio ditio = new ScriptedDitio();
    SyncApplication app;
    /** The state DB (the JDBC target's table is in it): H2 unless a test puts PostgreSQL in. */
    TestDatabase db;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        ditio.close();
    }

    /** A run with these settings: the application is started again when they change, as an operator would. */
    SyncRun run(Map<String, String> settings) {
        return start(settings).runOnce();
    }

    SyncApplication start(Map<String, String> settings) {
        if (app != null) {
            app.close();
        }
        Map<String, String> s = ditio.settings("acme", START, dir);
        if (db == null) {
            db = TestDatabase.h2(dir.resolve("data/state"));
        }
        s.putAll(db.settings("state-db"));
        s.putAll(settings);
        app = new SyncApplication(s).start();
        return app;
    }

    Map<String, BigDecimal> jdbc() throws Exception {
        return DeliveredPayroll.jdbcTotals(db);
    }

    /** The CSV drops' lines summed per line id, employee, day and wage type (a line taken back sums to nothing). */
    Map<String, BigDecimal> csv() throws Exception {
        return DeliveredPayroll.csvLineTotals(dropFiles("csv").stream()
                .filter(f -> f.getFileName().toString().endsWith(".csv")).toList());
    }

    /** The SAP drops' lines summed per employee, day and wage type. */
    Map<String, BigDecimal> sap() throws Exception {
        return DeliveredPayroll.sapTotals(dropFiles("sap"));
    }

    /** The files in a target's drop folder, in name order (none before its first drop). */
    List<Path> dropFiles(String target) throws Exception {
        Path folder = dir.resolve("out").resolve(target);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }

    /** A /v1/user page with worker u-101's profile (department null: none). */
    static String user101(String employeeNumber, String department, String modified) {
        return "{\"data\":[{\"id\":\"p-101\",\"identityUserId\":\"u-101\",\"employeeNumber\":\"" + employeeNumber + "\","
                + (department == null ? "" : "\"department\":\"" + department + "\",")
                + "\"isDeleted\":false,\"modifiedDateTime\":\"" + modified + "\"}]}";
    }

    /** A registration of worker u-101 without its employee number: it comes from /v1/user. */
    static String registration101(String id, String workDate, String qty, String modified) {
        return registration(id, "101", workDate, qty, modified).replace("\"userEmployeeNumber\":\"101\",", "");
    }

    /** A page of one payroll line: worker u-101's day 2026-11-16. */
    static String payrollLine(String qty, String modified) {
        return "{\"data\":[" + payrollDay(qty, modified) + "]}";
    }

    @ParameterizedTest(name = "on PostgreSQL: {0}")
    @ValueSource(booleans = {false, true})
    void aTargetOffWhileTheSourceSwitchedTakesBackTheOldSourcesLinesWhenOnAgain(boolean postgres) throws Exception {
        db = postgres ? TestDatabase.postgres() : null;
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", payrollLine("7.5", "2026-11-17T06:00:00Z"))));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.source", "time"));
        run(Map.of("payroll.targets", "jdbc", "payroll.source", "payroll-lines"));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(csv()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")));

        // switched on again in a run that fails before it delivers: nothing changes, the next run catches up
        ditio.on(DitioPager.PAYROLL_LINES, request -> Answer.json(500, "{\"error\":\"InternalError\"}"));
        assertThatThrownBy(() -> run(Map.of("payroll.targets", "csv,jdbc", "payroll.source", "payroll-lines")))
                .hasMessageContaining("500");
        assertThat(csv()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")));

        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", payrollLine("7.5", "2026-11-17T06:00:00Z"))));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.source", "payroll-lines"));
        assertThat(csv()).containsExactly(entry("payroll:d1:ordinary|101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));

        // the day changes in Ditio: each target gets the change once, none a second line beside it
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", payrollLine("8", "2026-11-18T06:00:00Z"))));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.source", "payroll-lines"));
        assertThat(csv()).containsExactly(entry("payroll:d1:ordinary|101|2026-11-16|1000", new BigDecimal("8.00")));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("8.00")));
    }

    @Test
    void aTargetOffWhileTheGateGaveALineBackGetsItWhenOnAgainAndFollowsTheWorkersMove() throws Exception {
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", null, "2026-11-01T10:00:00Z"))));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration101("r1", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z").replace("\"payrollApproved\":true", "\"payrollApproved\":false")
                + "," + registration101("r2", "2026-11-17T00:00:00Z", "4", "2026-11-17T16:00:00Z") + "]}")));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.approval", "approved"));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.approval", "payrollApproved"));
        assertThat(csv()).containsExactly(entry("time:r2|101|2026-11-17|1000", new BigDecimal("4.00")));
        // csv switched off while the gate gives r1 back
        run(Map.of("payroll.targets", "jdbc", "payroll.approval", "approved"));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|1000", new BigDecimal("4.00")));

        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}"))); // no registration changed since
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.approval", "approved"));
        assertThat(csv()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("time:r2|101|2026-11-17|1000", new BigDecimal("4.00")));

        ditio.on(DitioPager.USERS, pages(Map.of("", user101("201", null, "2026-11-20T10:00:00Z"))));
        run(Map.of("payroll.targets", "csv,jdbc", "payroll.approval", "approved"));
        assertThat(csv()).containsExactly(entry("time:r1|201|2026-11-16|1000", new BigDecimal("7.50")),
                entry("time:r2|201|2026-11-17|1000", new BigDecimal("4.00")));
        assertThat(jdbc()).containsExactly(entry("201|2026-11-16|1000", new BigDecimal("7.50")),
                entry("201|2026-11-17|1000", new BigDecimal("4.00")));
    }

    @Test
    void aTargetOffWhileALineChangedAndAnotherCameGetsBothWhenOnAgain() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        run(Map.of("payroll.targets", "csv,jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "6", "2026-11-17T16:00:00Z") + ","
                + registration("r2", "102", "2026-11-17T00:00:00Z", "3", "2026-11-17T16:00:00Z") + "]}")));
        run(Map.of("payroll.targets", "jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        run(Map.of("payroll.targets", "jdbc"));
        assertThat(csv()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")));
        // the preview shows what the run will bring it, and delivers nothing
        SyncRun preview = start(Map.of("payroll.targets", "csv,jdbc")).preview("acme");
        // (CSV offsets: 6 - 7.50 on r1's line, r2's 3)
        assertThat(preview.drops()).filteredOn(drop -> drop.lines() > 0).singleElement().satisfies(drop -> {
            assertThat(drop.target()).isEqualTo("csv");
            assertThat(drop.lines()).isEqualTo(2);
        });
        assertThat(csv()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")));

        SyncRun back = run(Map.of("payroll.targets", "csv,jdbc"));

        assertThat(csv()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("6.00")),
                entry("time:r2|102|2026-11-17|1000", new BigDecimal("3.00")));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("6.00")),
                entry("102|2026-11-17|1000", new BigDecimal("3.00")));
        assertThat(back.linesByTarget().getOrDefault("jdbc", 0)).isZero();
        assertThat(back.linesByTarget().get("csv")).isEqualTo(2);
        // caught up: the next run gives it nothing again
        SyncRun after = run(Map.of("payroll.targets", "csv,jdbc"));
        assertThat(after.linesByTarget().getOrDefault("csv", 0)).isZero();
    }

    /** A change no target of the run shows (SAP has no department) is kept for the target that was off. */
    @Test
    void aDepartmentChangedWhileOnlySapWasOnReachesTheCsvSwitchedOnAgain() throws Exception {
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", "Bygg", "2026-11-01T10:00:00Z"))));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration101("r1", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        run(Map.of("payroll.targets", "sap,csv"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", "Anlegg", "2026-11-20T10:00:00Z"))));
        run(Map.of("payroll.targets", "sap"));

        run(Map.of("payroll.targets", "sap,csv"));

        Map<String, BigDecimal> byDepartment = new java.util.TreeMap<>();
        for (Map<String, String> row : DeliveredPayroll.csvRows(dropFiles("csv"))) {
            byDepartment.merge(row.get("lineId") + "|" + row.get("department"), new BigDecimal(row.get("quantity")), BigDecimal::add);
        }
        byDepartment.values().removeIf(hours -> hours.signum() == 0);
        assertThat(byDepartment).containsExactly(entry("time:r1|Anlegg", new BigDecimal("7.50")));
        assertThat(sap()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    static String deleted(String id, String employee, String workDate, String modified) {
        return registration(id, employee, workDate, "0", modified).replace("\"isDeleted\":false", "\"isDeleted\":true");
    }

    static String registrations(String... records) {
        return "{\"data\":[" + String.join(",", records) + "]}";
    }

    /** Lines that sum to nothing left out: what the CSV target pays now. */
    Map<String, BigDecimal> csvPaid() throws Exception {
        Map<String, BigDecimal> paid = new java.util.TreeMap<>(csv());
        paid.values().removeIf(hours -> hours.signum() == 0);
        return paid;
    }

    /**
     * Two targets taking turns: a line only CSV got is deleted, given back to the gate, or moves with its worker
     * while only jdbc is on, which holds nothing of it, so no entry of a target that was on changed (outside audit).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"deleted", "not payroll-approved", "worker moved"})
    void aChangeToALineOnlyTheTargetOffHoldsReachesItWhenOnAgain(String change) throws Exception {
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", null, "2026-11-01T10:00:00Z"))));
        String r1 = registration101("r1", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z");
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));
        run(Map.of("payroll.targets", "csv,jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(r1))));
        run(Map.of("payroll.targets", "csv"));
        switch (change) {
            case "deleted" -> ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                    deleted("r1", "101", "2026-11-16T00:00:00Z", "2026-11-18T16:00:00Z")))));
            case "not payroll-approved" -> ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                    r1.replace("\"payrollApproved\":true", "\"payrollApproved\":false")
                            .replace("2026-11-16T16:00:00Z", "2026-11-18T16:00:00Z")))));
            default -> {
                ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));
                ditio.on(DitioPager.USERS, pages(Map.of("", user101("201", null, "2026-11-20T10:00:00Z"))));
            }
        }
        run(Map.of("payroll.targets", "jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));

        run(Map.of("payroll.targets", "csv,jdbc"));
        run(Map.of("payroll.targets", "csv,jdbc"));

        if (change.equals("worker moved")) {
            assertThat(csvPaid()).containsExactly(entry("time:r1|201|2026-11-16|1000", new BigDecimal("7.50")));
            assertThat(jdbc()).containsExactly(entry("201|2026-11-16|1000", new BigDecimal("7.50")));
        } else {
            assertThat(csvPaid()).isEmpty();
            assertThat(jdbc()).isEmpty();
        }
    }

    /**
     * A run that has the target switched on again but cannot catch it up on a feed (absences not deployed), with
     * no other target on: the lines it delivers reach the next target switched on again (outside audit).
     */
    @Test
    void theLinesOfARunThatCaughtUpInPartReachTheNextTargetSwitchedOnAgain() throws Exception {
        String absence = "{\"data\":[{\"id\":\"a1\",\"date\":\"2026-11-17\",\"qty\":%s,\"absenceTypeCode\":\"SYK\","
                + "\"employeeNumber\":\"101\",\"userId\":\"u-101\",\"approved\":true,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"%s\",\"isDeleted\":false}]}";
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")))));
        ditio.on(DitioPager.ABSENCES, pages(Map.of("", absence.formatted("7.5", "2026-11-17T08:00:00Z"))));
        run(Map.of("payroll.absences", "true", "payroll.targets", "csv,jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));
        ditio.on(DitioPager.ABSENCES, pages(Map.of("", absence.formatted("4", "2026-11-18T08:00:00Z"))));
        run(Map.of("payroll.absences", "true", "payroll.targets", "jdbc"));
        // CSV back, jdbc off, absences not deployed: the run succeeds without them and gives CSV r2
        ditio.on(DitioPager.ABSENCES, request -> Answer.json(404, "{\"error\":\"NotFound\"}"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration("r2", "102", "2026-11-17T00:00:00Z", "3", "2026-11-19T16:00:00Z")))));
        run(Map.of("payroll.absences", "true", "payroll.targets", "csv"));
        ditio.on(DitioPager.ABSENCES, pages(Map.of("", absence.formatted("4", "2026-11-18T08:00:00Z"))));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));

        run(Map.of("payroll.absences", "true", "payroll.targets", "csv,jdbc"));
        run(Map.of("payroll.absences", "true", "payroll.targets", "csv,jdbc"));

        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("101|2026-11-17|5100", new BigDecimal("4.00")), entry("102|2026-11-17|1000", new BigDecimal("3.00")));
        assertThat(csvPaid()).containsOnlyKeys("time:r1|101|2026-11-16|1000", "absence:a1|101|2026-11-17|5100",
                "time:r2|102|2026-11-17|1000").containsEntry("absence:a1|101|2026-11-17|5100", new BigDecimal("4.00"));
    }

    /**
     * A target on for the first time, alone, while the worker of a line only the target switched off holds has no
     * number for a while: it gets no history, also not through the quarantine (outside audit of a re-map of such
     * lines, withdrawn: the move waits for reconcile --deliver, as documented).
     */
    @Test
    void aFirstTimeTargetDoesNotGetALineOnlyATargetOffHoldsWhenItsWorkerHadNoNumberForAWhile() throws Exception {
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", null, "2026-11-01T10:00:00Z"))));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration101("r1", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")))));
        run(Map.of("payroll.targets", "csv"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));
        run(Map.of("payroll.targets", "jdbc"));
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("", null, "2026-11-20T10:00:00Z"))));
        run(Map.of("payroll.targets", "jdbc"));
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", null, "2026-11-21T10:00:00Z"))));
        run(Map.of("payroll.targets", "jdbc"));

        assertThat(jdbc()).isEmpty();
        run(Map.of("payroll.targets", "csv,jdbc"));
        assertThat(csvPaid()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(jdbc()).isEmpty();
    }

    /**
     * A line CSV got while SAP was off, with an employee number SAP cannot carry: SAP switched on again does not
     * get it (every run failed in SAP's format), as a line mapped with SAP on would be quarantined (outside audit).
     */
    @Test
    void aLineTheTargetSwitchedOnAgainCannotCarryIsNotGivenIt() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")))));
        run(Map.of("payroll.targets", "csv,sap"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration("r1", "101", "2026-11-16T00:00:00Z", "6", "2026-11-17T16:00:00Z"),
                registration("r2", "A102", "2026-11-17T00:00:00Z", "3", "2026-11-17T16:00:00Z")))));
        run(Map.of("payroll.targets", "csv"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));

        run(Map.of("payroll.targets", "csv,sap"));
        run(Map.of("payroll.targets", "csv,sap"));

        assertThat(sap()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("6.00")));
        assertThat(csvPaid()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("6.00")),
                entry("time:r2|A102|2026-11-17|1000", new BigDecimal("3.00")));
    }

    /** Switched on again with SAP, CSV gets the line SAP cannot carry, as the targets that were on have it (outside audit). */
    @Test
    void aLineOneTargetSwitchedOnAgainCannotCarryReachesTheOtherThatCan() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")))));
        run(Map.of("payroll.targets", "csv,sap,jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration("r2", "A102", "2026-11-17T00:00:00Z", "3", "2026-11-17T16:00:00Z")))));
        run(Map.of("payroll.targets", "jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));

        run(Map.of("payroll.targets", "csv,sap,jdbc"));
        run(Map.of("payroll.targets", "csv,sap,jdbc"));

        assertThat(csvPaid()).containsExactly(entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("time:r2|A102|2026-11-17|1000", new BigDecimal("3.00")));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")),
                entry("A102|2026-11-17|1000", new BigDecimal("3.00")));
        assertThat(sap()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /** A record in quarantine whose line only a target switched off holds writes no ledger row on each run (outside audit). */
    @Test
    void aQuarantinedLineOnlyATargetOffHoldsIsNotWrittenAgainEveryRun() throws Exception {
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("101", null, "2026-11-01T10:00:00Z"))));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations(
                registration101("r1", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z")))));
        run(Map.of("payroll.targets", "csv,jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", registrations())));
        ditio.on(DitioPager.USERS, pages(Map.of("", user101("", null, "2026-11-20T10:00:00Z"))));
        run(Map.of("payroll.targets", "jdbc")); // no number: quarantined, and what jdbc was paid stays
        String written = ledgerRow("time:r1");
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[]}")));

        run(Map.of("payroll.targets", "jdbc"));
        run(Map.of("payroll.targets", "jdbc"));

        assertThat(ledgerRow("time:r1")).isEqualTo(written);
        run(Map.of("payroll.targets", "csv,jdbc"));
        assertThat(csvPaid()).as("paid once, kept while in quarantine").containsExactly(
                entry("time:r1|101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    /** The ledger row's version, last run and targets. */
    String ledgerRow(String lineId) throws Exception {
        try (var c = db.connect(); var ps = c.prepareStatement("SELECT version, run_id, targets FROM ledger_line WHERE line_id = ?")) {
            ps.setString(1, lineId);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3) : null;
            }
        }
    }

    @Test
    void aTargetSwitchedOnForTheFirstTimeGetsNoHistory() throws Exception {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":["
                + registration("r1", "101", "2026-11-16T00:00:00Z", "7.5", "2026-11-16T16:00:00Z") + "]}")));
        run(Map.of("payroll.targets", "jdbc"));
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[]}")));

        run(Map.of("payroll.targets", "csv,jdbc"));

        assertThat(csv()).isEmpty();
        assertThat(jdbc()).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }
}
