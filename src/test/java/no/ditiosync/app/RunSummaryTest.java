package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.PayrollTruth;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a run says it did, through the real application (a separate JVM) against the simulator: a full
 * run, then an incremental one with a correction, a deletion and records released from quarantine.
 * The summary printed by sync --once, the log line and the JSON run report tell new, corrected,
 * reversed and released lines apart per target, and the quarantine as newly quarantined, released
 * and still open, grouped by reason, every count checked against the simulator and the state DB.
 */
class RunSummaryTest {

    private static final LocalDate LAST = LocalDate.of(2026, 11, 27);
    private static final LocalDate START = LAST.minusWeeks(3);
    private static final String NO_EMPLOYEE = "no employee number for userId … (not on the registration, not in /v1/user)";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The state DB of the test: an H2 file, PostgreSQL in {@link RunSummaryOnPostgresTest}. */
    TestDatabase stateDb(Path dir) {
        return TestDatabase.h2(dir.resolve("data/state"));
    }

    private TestDatabase db;

    @Test
    void theSummariesTellNewCorrectedReversedAndReleasedLinesAndTheQuarantineByReason(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(
                SimulatorConfig.defaults().seed(7).workers(40).weeks(3).lastWorkDate(LAST), 0)) {
            Map<String, String> env = env(ditio, dir);
            db = stateDb(dir);
            env.put("PAYROLL_STATE_DB_URL", db.url());
            env.put("PAYROLL_STATE_DB_USER", db.user());
            env.put("PAYROLL_STATE_DB_PASSWORD", db.password());
            Result full = run(dir, env, "sync", "--once");
            assertThat(full.exit()).as(full.err()).isZero();

            int ready = PayrollTruth.payrollReady(ditio.data(), START).size();
            List<String[]> held = quarantine();
            long noEmployee = held.stream().filter(q -> q[1].startsWith("no employee number")).count();
            assertThat(noEmployee).isPositive();
            String out = squeeze(full.out());
            for (String target : List.of("visma", "sap", "jdbc")) {
                assertThat(out).contains(" " + target + " " + ready + " " + ready + " 0 0 0\n");
            }
            assertThat(out).contains("quarantine: " + held.size() + " newly quarantined, 0 released, " + held.size() + " still open",
                    "newly quarantined:\n " + noEmployee + " " + NO_EMPLOYEE, "still open:\n " + noEmployee + " " + NO_EMPLOYEE);

            assertStatusListsEveryOpenRecord(ditio, dir, env, held);

            // in Ditio: hours of one delivered registration edited, another deleted, and a user without an
            // employee number given one, which releases that user's records from quarantine
            String releasedUser = ditio.data().timeRegistration(held.stream().filter(q -> q[1].startsWith("no employee number"))
                    .findFirst().orElseThrow()[0]).orElseThrow().userId();
            long released = held.stream().filter(q -> ditio.data().timeRegistration(q[0]).orElseThrow().userId().equals(releasedUser)).count();
            List<TimeRegistration> delivered = PayrollTruth.payrollReady(ditio.data(), START);
            TimeRegistration edited = delivered.get(0);
            TimeRegistration deleted = delivered.get(delivered.size() - 1);
            ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));
            ditio.data().delete(deleted.id());
            ditio.data().setEmployeeNumber(releasedUser, "4711");

            Result changes = run(dir, env, "sync", "--once");
            assertThat(changes.exit()).as(changes.err()).isZero();
            out = squeeze(changes.out());
            // in the drop: visma and jdbc one line each, SAP two for the correction (cancellation, new document)
            assertThat(out).contains(" visma " + (2 + released) + " 0 1 1 " + released + "\n",
                    " sap " + (3 + released) + " 0 1 1 " + released + "\n", " jdbc " + (2 + released) + " 0 1 1 " + released + "\n");
            long open = held.size() - released;
            assertThat(quarantine()).hasSize((int) open);
            assertThat(out).contains("quarantine: 0 newly quarantined, " + released + " released, " + open + " still open",
                    "released:\n " + released + " " + NO_EMPLOYEE);
            assertThat(out).doesNotContain("newly quarantined:\n");
            assertThat(changes.err()).contains("new/corrected/reversed/released visma=0/1/1/" + released + ",sap=0/1/1/"
                    + released + ",jdbc=0/1/1/" + released + ", quarantine 0 newly quarantined, " + released + " released, "
                    + open + " still open; released: " + released + " " + NO_EMPLOYEE);

            JsonNode report = newestReport(dir);
            assertThat(report.path("lines").path("sap").toString())
                    .isEqualTo("{\"inDrop\":" + (3 + released) + ",\"new\":0,\"corrected\":1,\"reversed\":1,\"released\":" + released + "}");
            JsonNode q = report.path("quarantine");
            assertThat(q.path("newlyQuarantined").asInt()).isZero();
            assertThat(q.path("released").asLong()).isEqualTo(released);
            assertThat(q.path("stillOpen").asLong()).isEqualTo(open);
            assertThat(q.path("releasedByReason").path(NO_EMPLOYEE).asLong()).isEqualTo(released);
            assertThat(q.path("newlyQuarantinedByReason").size()).isZero();
            long openByReason = 0;
            for (JsonNode n : q.path("stillOpenByReason")) {
                openByReason += n.asLong();
            }
            assertThat(openByReason).isEqualTo(open);
        }
    }

    /**
     * status --quarantine lists every open record with worker name and number (when known), work date,
     * hours, project and reason, on the screen and into a CSV file, each as the simulator holds it.
     */
    private void assertStatusListsEveryOpenRecord(SimulatedDitio ditio, Path dir, Map<String, String> env,
                                                         List<String[]> held) throws Exception {
        Map<String, String> numbers = PayrollTruth.employeesByUser(ditio.data());
        List<String> expected = new ArrayList<>();
        for (String[] q : held) {
            TimeRegistration r = ditio.data().timeRegistration(q[0]).orElseThrow();
            String number = r.userEmployeeNumber() != null && !r.userEmployeeNumber().isBlank() ? r.userEmployeeNumber()
                    : numbers.getOrDefault(r.userId(), "");
            String hours = r.qty().stripTrailingZeros().scale() < 2 ? r.qty().setScale(2).toPlainString()
                    : r.qty().stripTrailingZeros().toPlainString();
            expected.add(String.join("|", "acme", "time", q[0], r.userName(), number == null ? "" : number,
                    r.workDate().toString(), hours, r.projectNumber() == null ? "" : r.projectNumber(), q[1]));
        }
        Path file = dir.resolve("quarantine.csv");
        Result csv = run(dir, env, "status", "--quarantine", "--csv", file.toString());
        assertThat(csv.exit()).as(csv.err()).isZero();
        assertThat(csv.out()).contains(held.size() + " open quarantined record(s) written to " + file);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("company,feed,recordId,workerName,employeeNumber,workDate,hours,project,reason");
        assertThat(lines.subList(1, lines.size()).stream()
                .map(l -> String.join("|", no.ditiosync.testing.DeliveredPayroll.fields(l, ','))).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        Result screen = run(dir, env, "status", "--quarantine");
        assertThat(screen.exit()).as(screen.err()).isZero();
        assertThat(screen.out()).startsWith("State DB: " + db.url() + "  (set by PAYROLL_STATE_DB_URL)\n")
                .contains("Open quarantine of company acme: " + held.size() + " record(s)");
        for (String e : expected) {
            String[] f = e.split("\\|", -1);
            // work date, hours, worker, number (or -), project (or -), feed, record and reason, in that order on one line
            assertThat(squeeze(screen.out())).contains(" " + f[5] + " " + f[6] + " " + f[3] + " "
                    + (f[4].isEmpty() ? "-" : f[4]) + " " + (f[7].isEmpty() ? "-" : f[7]) + " time " + f[2] + ": " + f[8] + "\n");
        }
    }

    // ---- the application and the state DB ------------------------------------------------------------

    record Result(int exit, String out, String err) {
    }

    static Map<String, String> env(SimulatedDitio ditio, Path dir) {
        Map<String, String> env = new HashMap<>();
        env.put("DITIO_IDENTITY_BASE", ditio.identityBase());
        env.put("DITIO_REPORTING_BASE", ditio.reportingBase());
        env.put("DITIO_CLIENT_ID", ditio.clientId());
        env.put("DITIO_CLIENT_SECRET", ditio.clientSecret());
        env.put("PAYROLL_START_DATE", START.toString());
        env.put("PAYROLL_COMPANY", "acme");
        env.put("PAYROLL_DROP_DIR", dir.resolve("out").toString());
        env.put("PAYROLL_STATE_DB_URL", "jdbc:h2:file:" + dir.resolve("data/state").toAbsolutePath());
        // the reports in the test's folder whatever the state DB (the default beside an H2 file, else ./data/runs)
        env.put("SYNC_REPORT_DIR", dir.resolve("data/runs").toString());
        return env;
    }

    static Result run(Path dir, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = AppProcess.builder(env, List.of(), false, args)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("%s finished in time", String.join(" ", args)).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Runs of blanks as one, so columns compare as words. */
    private static String squeeze(String text) {
        return text.replaceAll(" +", " ");
    }

    /** The open quarantine: record id and reason. */
    private List<String[]> quarantine() throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = db.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT record_id, reason FROM quarantine ORDER BY record_id")) {
            while (rs.next()) {
                rows.add(new String[]{rs.getString(1), rs.getString(2)});
            }
        }
        return rows;
    }

    private static JsonNode newestReport(Path dir) throws Exception {
        try (Stream<Path> reports = Files.list(dir.resolve("data/runs"))) {
            Path newest = reports.filter(p -> p.toString().endsWith(".json"))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString().split("-")[2])).orElseThrow();
            return JSON.readTree(newest.toFile());
        }
    }
}
