package no.ditiosync.conformance;

import no.ditiosync.app.SyncApplication;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.run.SyncRun;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.ScriptedDitio;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static no.ditiosync.conformance.DitioConformanceTest.START;
import static no.ditiosync.conformance.DitioConformanceTest.pages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Characters in Ditio's values that a state DB does not keep as Java holds them: PostgreSQL refuses a
 * NUL, both databases turn half of a surrogate pair into '?', and PostgreSQL orders a character beyond
 * U+FFFF after U+E000-U+FFFF where Java orders it before. In a record's id or a key field such a record
 * failed every later run of its company, or was corrected again by every run (outside audit); it is
 * quarantined, on H2 and PostgreSQL alike. In a description the character is left out, as every drop
 * leaves it out.
 */
class CharactersADatabaseCannotKeepTest {

    @TempDir
    Path dir;
    final ScriptedDitio ditio = new ScriptedDitio();
    SyncApplication app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        ditio.close();
    }

    private TestDatabase stateDb(String kind) {
        return kind.equals("postgres") ? TestDatabase.postgres() : TestDatabase.h2(dir.resolve("data/state"));
    }

    private SyncApplication start(TestDatabase db, Map<String, String> extra) {
        if (app != null) {
            app.close();
        }
        Map<String, String> s = ditio.settings("acme", START, dir);
        s.putAll(db.settings("state-db"));
        s.put("payroll.targets", "csv,sap,jdbc");
        s.putAll(extra);
        app = new SyncApplication(s).start();
        return app;
    }

    /** A registration as raw JSON, its id and the extra fields given as JSON text (escapes and all). */
    private static String registration(String idJson, String employee, String day, String qty, String extraFields) {
        return "{\"id\":\"" + idJson + "\",\"userId\":\"u-" + employee + "\",\"userEmployeeNumber\":\"" + employee
                + "\",\"workDate\":\"" + day + "T00:00:00Z\",\"qty\":" + qty + ",\"approved\":true,\"payrollApproved\":true,"
                + "\"modifiedDateTime\":\"" + day + "T16:00:00Z\",\"isDeleted\":false" + extraFields + "}";
    }

    private void serve(String... registrations) {
        ditio.on(DitioPager.TIME_REGISTRATIONS, pages(Map.of("", "{\"data\":[" + String.join(",", registrations) + "]}")));
    }

    private static List<String> reasons(TestDatabase db) throws SQLException {
        List<String> reasons = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT reason FROM quarantine")) {
            while (rs.next()) {
                reasons.add(rs.getString(1));
            }
        }
        return reasons;
    }

    private long csvFiles() throws Exception {
        Path csv = dir.resolve("out/csv");
        if (!Files.isDirectory(csv)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(csv)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".csv")).count();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aNulInARecordIdQuarantinesTheRecordAndEveryLaterRunRuns(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        serve(registration("r1", "101", "2026-11-16", "7.5", ""),
                // the same id as r1 once a database leaves its NUL out
                registration("r\\u00001", "102", "2026-11-16", "2", ""),
                registration("q\\u0000", "103", "2026-11-17", "30", ""));
        start(db, Map.of());

        for (int run = 0; run < 3; run++) {
            app.runOnce();
        }

        assertThat(DeliveredPayroll.jdbcTotals(db)).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(reasons(db)).hasSize(2).allMatch(reason -> reason.startsWith("unreadable id '"));
        assertThat(csvFiles()).isEqualTo(1);
    }

    /**
     * A /v1/user or /v1/project row whose id, profile id, employee number or project number holds a NUL or
     * half of a pair is not stored: PostgreSQL kept it without the NUL, over the row of the user or project
     * whose id that made, and paid his hours under the odd row's number and project (outside audit).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aUserOrProjectRowWithANulOrHalfAPairIsNotKeptOverAnother(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        String user = "{\"id\":\"%s\",\"identityUserId\":\"%s\",\"employeeNumber\":\"%s\",\"department\":\"Betong\","
                + "\"modifiedDateTime\":\"2026-11-16T08:00:00Z\",\"isDeleted\":false}";
        String project = "{\"id\":\"%s\",\"number\":\"%s\",\"modifiedDateTime\":\"2026-11-16T08:00:00Z\",\"isDeleted\":false}";
        ditio.on(DitioPager.USERS, pages(Map.of("", "{\"data\":[" + String.join(",",
                user.formatted("p-101", "u-101", "101"), user.formatted("p-0", "u-1\\u000001", "999"),
                user.formatted("p-102", "u-102", "102"), user.formatted("p-\\u0000102", "u-102", "1"),
                user.formatted("p-103", "u-103", "103"), user.formatted("p-03", "u-103", "1\\u000003"),
                user.formatted("p-104", "u-104", "104"), user.formatted("p-04", "u-104", "\\ud800")) + "]}")));
        ditio.on(DitioPager.PROJECTS, pages(Map.of("", "{\"data\":[" + String.join(",", project.formatted("pr-1", "P100"),
                project.formatted("pr-\\u00001", "P999"), project.formatted("pr-2", "P200"), project.formatted("pr-2x", "P2\\u000000"))
                + "]}")));
        List<String> registrations = new ArrayList<>();
        for (String employee : List.of("101", "102", "103", "104")) {
            registrations.add(registration("r" + employee, employee, "2026-11-16", "7.5", ",\"projectId\":\"pr-1\"")
                    .replace("\"userEmployeeNumber\":\"" + employee + "\",", ""));
        }
        serve(registrations.toArray(String[]::new));
        start(db, Map.of());

        app.runOnce();

        List<String> lines = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT employee_number, project_number, quantity FROM payroll_line ORDER BY employee_number")) {
            while (rs.next()) {
                lines.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getBigDecimal(3));
            }
        }
        assertThat(lines).containsExactly("101|P100|7.50", "102|P100|7.50", "103|P100|7.50", "104|P100|7.50");
        List<String> numbers = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT project_id, project_number FROM ditio_project ORDER BY project_id")) {
            while (rs.next()) {
                numbers.add(rs.getString(1) + "=" + rs.getString(2));
            }
        }
        assertThat(numbers).containsExactly("pr-1=P100", "pr-2=P200");
    }

    /**
     * An overtime line whose part of the day gets a key made from its id (a character beyond U+FFFF in its
     * payroll type, or too long) leaves the quarantine with its day: when Ditio deletes the day, or sends it
     * again without the line. Under a key outside its day's it stayed in quarantine for good (outside audit).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void anOvertimeLineQuarantinedForItsKeyLeavesWithItsDay(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        String overtime = "{\"payrollTypeId\":\"OT\\ud83d\\ude00\",\"lineType\":20,\"overtimeType\":1,\"qty\":2},"
                + "{\"payrollTypeId\":\"" + "X".repeat(110) + "\",\"lineType\":20,\"overtimeType\":1,\"qty\":1}";
        String day = "{\"id\":\"%s\",\"transDateTime\":\"%s\",\"userId\":\"u-102\",\"employeeNumber\":\"102\",\"qty\":8,"
                + "\"approved\":true,\"verified\":true,\"modifiedDateTime\":\"%s\",\"isDeleted\":false,\"overtimeLines\":[%s]}";
        String longDay = "L".repeat(80); // a key of its own would not fit beside it whole
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":["
                + day.formatted("d1", "2026-11-16T00:00:00Z", "2026-11-17T06:00:00Z", overtime) + ","
                + day.formatted("d2", "2026-11-17T00:00:00Z", "2026-11-18T06:00:00Z", overtime) + ","
                + day.formatted(longDay, "2026-11-18T00:00:00Z", "2026-11-18T06:00:00Z", overtime) + "]}")));
        start(db, Map.of("payroll.source", "payroll-lines"));
        app.runOnce();
        assertThat(reasons(db)).hasSize(6);

        String deleted = "{\"id\":\"%s\",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-19T06:00:00Z\","
                + "\"modifiedDateTime\":\"2026-11-19T06:00:00Z\"}";
        ditio.on(DitioPager.PAYROLL_LINES, pages(Map.of("", "{\"data\":[" + deleted.formatted("d1") + ","
                + day.formatted("d2", "2026-11-17T00:00:00Z", "2026-11-19T06:00:00Z", "") + "," + deleted.formatted(longDay) + "]}")));
        app.runOnce();

        assertThat(reasons(db)).isEmpty();
        assertThat(DeliveredPayroll.jdbcTotals(db)).containsExactly(entry("102|2026-11-17|1000", new BigDecimal("8.00")));
    }

    /** A record quarantined under a key made from its id (odd or too long) leaves the quarantine when Ditio deletes it. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aRecordQuarantinedForItsIdLeavesWhenDitioDeletesIt(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        String longId = "L".repeat(120);
        serve(registration("r1", "101", "2026-11-16", "7.5", ""), registration("x\\u0000", "101", "2026-11-17", "2", ""),
                registration(longId, "101", "2026-11-18", "3", ""));
        start(db, Map.of());
        app.runOnce();
        assertThat(reasons(db)).hasSize(2);

        String deleted = ",\"isDeleted\":true,\"deletedDateTime\":\"2026-11-19T16:00:00Z\"";
        serve(registration("r1", "101", "2026-11-16", "7.5", ""),
                registration("x\\u0000", "101", "2026-11-17", "2", deleted).replace("\"isDeleted\":false,", ""),
                registration(longId, "101", "2026-11-18", "3", deleted).replace("\"isDeleted\":false,", ""));
        app.runOnce();

        assertThat(reasons(db)).isEmpty();
        assertThat(DeliveredPayroll.jdbcTotals(db)).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void anIdWithACharacterBeyondUFFFFIsQuarantinedAndAFullPassAndAReconcileRun(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        serve(registration("r-\\uFF21", "101", "2026-11-16", "7.5", ""),
                registration("r-\\uD83D\\uDE00", "101", "2026-11-17", "2", ""));
        start(db, Map.of());
        app.runOnce();
        app.runOnce();

        // a changed approval setting: every feed is read in full, in the ledger's key order
        start(db, Map.of("payroll.approval", "approved"));
        SyncRun full = app.runOnce();
        SyncRun reconcile = app.reconcile("acme", null, null, false);

        assertThat(full.passes()).filteredOn(SyncRun.Pass::delivers).allMatch(p -> p.mode() == SyncRun.Mode.FULL);
        assertThat(reconcile.files()).as("a reconcile without --deliver").isEmpty();
        assertThat(DeliveredPayroll.jdbcTotals(db)).containsExactly(entry("101|2026-11-16|1000", new BigDecimal("7.50")));
        assertThat(reasons(db)).singleElement().asString().startsWith("unreadable id 'r-\\ud83d\\ude00': holds a NUL or a character beyond U+FFFF");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aNulOrHalfAPairInATaskQuarantinesTheRecordInsteadOfACorrectionEveryRun(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        serve(registration("b1", "101", "2026-11-16", "1", ",\"taskWbsNumber\":\"T\\u00001\""),
                registration("b2", "101", "2026-11-17", "2", ",\"taskWbsNumber\":\"T\\uD8002\""),
                registration("b3", "101", "2026-11-18", "3", ""));
        start(db, Map.of());

        for (int run = 0; run < 3; run++) {
            app.runOnce();
        }

        assertThat(csvFiles()).as("one drop: later runs have nothing to correct").isEqualTo(1);
        assertThat(DeliveredPayroll.jdbcTotals(db)).containsExactly(entry("101|2026-11-18|1000", new BigDecimal("3.00")));
        assertThat(reasons(db)).hasSize(2).allMatch(reason -> reason.startsWith("unreadable taskWbsNumber: "));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aDescriptionWithANulOrHalfAPairReachesPayrollLineAsTheFilesHaveIt(String kind) throws Exception {
        TestDatabase db = stateDb(kind);
        serve(registration("d1", "101", "2026-11-16", "1", ",\"description\":\"p\\uDC00q\\u0000r\""));
        start(db, Map.of());

        app.runOnce();
        app.runOnce();

        try (Connection c = db.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT text FROM payroll_line WHERE line_id = 'time:d1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("pqr");
        }
        assertThat(DeliveredPayroll.csvRows(List.of(Files.list(dir.resolve("out/csv")).findFirst().orElseThrow())))
                .singleElement().satisfies(row -> assertThat(row.get("text")).isEqualTo("pqr"));
        assertThat(csvFiles()).isEqualTo(1);
    }
}
