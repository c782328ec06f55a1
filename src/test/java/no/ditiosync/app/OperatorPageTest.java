package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's page and its JSON API, served by the application against the simulator and read
 * over loopback: what they show is what the state DB and the drops hold; credentials when asked for.
 */
class OperatorPageTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Recent work days, so the chart's 60 days (counted back from today) hold them all. */
    static final LocalDate LAST = LocalDate.now(ZoneId.of("Europe/Oslo")).minusDays(3);
    static final LocalDate START = LAST.minusWeeks(2);

    static SimulatorConfig company() {
        return SimulatorConfig.defaults().seed(11).workers(15).weeks(2).lastWorkDate(LAST);
    }

    static Map<String, String> serverOn(int port) {
        Map<String, String> s = new HashMap<>(ObservabilityTest.serverOn(port));
        return s;
    }

    @Test
    void pageAndApiShowTheRunsTheLedgerAndTheQuarantine(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(company(), dir, START, serverOn(port))) {
            pageAndApiShowTheRunsTheLedgerAndTheQuarantine(h, port);
        }
    }

    /** The checks of the test above, on the state DB of {@code h}, served on {@code port}. */
    static void pageAndApiShowTheRunsTheLedgerAndTheQuarantine(SyncHarness h, int port) throws Exception {
        SyncRun[] twoRuns = fullThenIncremental(h, LAST, "<script>alert(1)</script> & \"quoted\"");
        SyncRun full = twoRuns[0];
        SyncRun incremental = twoRuns[1];

        ObserveClient web = new ObserveClient(port);
        JsonNode company = JSON.readTree(web.get("/api/companies/acme").body());
        assertThat(company.get("company").asText()).isEqualTo("acme");

        // the runs, newest first, with the lines each target received
        JsonNode runs = company.get("runs");
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).get("runId").asText()).isEqualTo(incremental.runId());
        assertThat(runs.get(1).get("runId").asText()).isEqualTo(full.runId());
        assertThat(runs.get(0).get("mode").asText()).isEqualTo("incremental");
        assertThat(runs.get(1).get("mode").asText()).isEqualTo("full");
        for (JsonNode run : runs) {
            assertThat(run.get("outcome").asText()).isEqualTo("succeeded");
            assertThat(run.get("committed").asBoolean()).isTrue();
            assertThat(run.get("node").asText()).isNotBlank();
        }
        assertThat(runs.get(1).get("recordsRead").asLong()).isEqualTo(full.recordsRead());
        assertThat(runs.get(0).get("recordsRead").asLong()).isEqualTo(incremental.recordsRead()).isEqualTo(2);
        for (String target : List.of("visma", "sap")) {
            JsonNode first = runs.get(1).get("lines").get(target);
            assertThat(first.get("total").asLong()).isEqualTo(h.lineCount(SyncHarness.fileOf(full, target)));
            assertThat(first.get("new").asLong()).isEqualTo(first.get("total").asLong());
            JsonNode second = runs.get(0).get("lines").get(target);
            assertThat(second.get("corrected").asLong()).as(target).isEqualTo(1);
            assertThat(second.get("new").asLong()).as(target).isZero();
            assertThat(second.get("reversed").asLong()).as(target).isZero();
        }
        assertThat(runs.get(0).get("lines").get("jdbc").get("corrected").asLong()).isEqualTo(1);

        // the chart's numbers: per target and work day, what the ledger holds; for jdbc, what payroll_line holds
        Map<String, Map<LocalDate, BigDecimal>> shown = new TreeMap<>();
        for (JsonNode day : company.get("hours").get("days")) {
            day.get("targets").fields().forEachRemaining(t -> shown.computeIfAbsent(t.getKey(), k -> new TreeMap<>())
                    .put(LocalDate.parse(day.get("date").asText()), t.getValue().get("hours").decimalValue().stripTrailingZeros()));
        }
        Map<String, Map<LocalDate, BigDecimal>> ledger = ledgerHoursPerDay(h);
        assertThat(shown).isEqualTo(ledger);
        assertThat(shown.keySet()).containsExactly("jdbc", "sap", "visma");
        assertThat(shown.get("jdbc")).isEqualTo(payrollLineHoursPerDay(h));

        // the open quarantine: as many as the table holds, grouped by reason
        long open = h.quarantine().size();
        assertThat(open).isPositive();
        JsonNode quarantine = company.get("quarantine");
        assertThat(quarantine.get("open").asLong()).isEqualTo(open);
        long byReason = 0;
        for (JsonNode reason : quarantine.get("byReason")) {
            byReason += reason.get("records").asLong();
        }
        assertThat(byReason).isEqualTo(open);
        assertThat(quarantine.get("records")).hasSize((int) open);
        assertThat(quarantine.get("records").findValuesAsText("description"))
                .contains("<script>alert(1)</script> & \"quoted\"");

        // the page: the same, with Ditio's text escaped
        ObserveClient.Response page = web.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<tr class=\"run\" data-run-id=\"" + incremental.runId() + "\"")
                .contains("<tr class=\"run\" data-run-id=\"" + full.runId() + "\"")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;")
                .doesNotContain("<script")
                .contains("<span class=\"quarantine-count\">" + open + "</span>");
        assertThat(page.body().split("<rect class=\"bar t", -1)).hasSize(1
                + ledger.values().stream().mapToInt(Map::size).sum());

        // the CSV download: a header and one line per open record
        HttpResponse<String> csv = get(port, "/api/companies/acme/quarantine.csv", null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv; charset=UTF-8");
        assertThat(csv.body().split("\r\n")).hasSize(1 + (int) open);
        assertThat(csv.body()).startsWith("feed,recordId,workerName,employeeNumber,workDate,hours,");

        // each run's report, and no answer for what does not exist
        ObserveClient.Response report = web.get("/api/companies/acme/runs/" + full.runId() + "/report");
        assertThat(report.status()).isEqualTo(200);
        assertThat(JSON.readTree(report.body()).get("runId").asText()).isEqualTo(full.runId());
        assertThat(web.get("/api/companies/nobody").status()).isEqualTo(404);
        assertThat(web.get("/api/companies/acme/runs/ffff/report").status()).isEqualTo(404);

        // the watermark's lag turns red once two scheduled firings (SYNC_CRON: every 30 min) passed since it
        assertThat(company.get("watermarks").get(0).get("feed").asText()).isEqualTo("time");
        assertThat(company.get("watermarks").get(0).get("late").asBoolean()).isFalse();
        try (Connection c = h.stateDb().connect()) {
            c.createStatement().executeUpdate("UPDATE sync_watermark SET watermark = watermark - INTERVAL '61' MINUTE "
                    + "WHERE company = 'acme' AND feed = 'time'");
        }
        JsonNode late = JSON.readTree(web.get("/api/companies/acme").body()).get("watermarks").get(0);
        assertThat(late.get("late").asBoolean()).isTrue();
        assertThat(late.get("lagSeconds").asLong()).isGreaterThanOrEqualTo(61 * 60);
        assertThat(web.get("/").body()).contains("<tr data-feed=\"time\"><td>time</td>")
                .containsOnlyOnce("class=\"lag late\" data-late=\"true\"");

        // read-only: a POST changes nothing and is not answered as a GET
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    /**
     * A committed run that changed nothing shows 0 lines of each kind for each target, not "unknown" (null,
     * which the JSON gives a run logged before the kinds were kept); a failed run shows no quarantine
     * count, not 0 beside the records still open (outside audit: an operator read the quarantine as gone).
     */
    @Test
    void aRunOfNoChangeShowsZerosAndAFailedRunNoQuarantineCount(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(company(), dir, START, serverOn(port))) {
            h.runOnce();
            assertThat(h.quarantine()).isNotEmpty();
            SyncRun quiet = h.runOnce();
            h.ditio.faults().failNext(400, 1);
            try {
                h.runOnce();
            } catch (RuntimeException expected) {
                // the run failed, as it should
            }

            ObserveClient web = new ObserveClient(port);
            JsonNode runs = JSON.readTree(web.get("/api/companies/acme").body()).get("runs");
            assertThat(runs).hasSize(3);
            assertThat(runs.get(0).get("outcome").asText()).isEqualTo("failed");
            assertThat(runs.get(0).get("quarantined").isNull()).as("quarantined of the failed run").isTrue();
            assertThat(runs.get(1).get("runId").asText()).isEqualTo(quiet.runId());
            assertThat(runs.get(1).get("quarantined").asInt()).isEqualTo(quiet.quarantinedCount());
            for (String target : List.of("visma", "sap")) {
                JsonNode lines = runs.get(1).get("lines").get(target);
                for (String kind : List.of("new", "corrected", "reversed", "released", "total")) {
                    assertThat(lines.get(kind).isNumber()).as("%s %s", target, kind).isTrue();
                    assertThat(lines.get(kind).asLong()).as("%s %s", target, kind).isZero();
                }
            }
            assertThat(web.get("/").body()).containsPattern(
                    "data-run-id=\"" + runs.get(0).get("runId").asText() + "\".*<td class=\"num quarantined\"></td>");
        }
    }

    @Test
    void withCredentialsSetTheyAreAskedForAndHealthStaysOpen(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        Map<String, String> settings = serverOn(port);
        settings.put("observe.user", "ops");
        settings.put("observe.password", "s3cret pass");
        try (SyncHarness h = new SyncHarness(company(), dir, START, settings)) {
            h.runOnce();
            for (String path : List.of("/", "/api/companies", "/api/companies/acme", "/api/companies/acme/quarantine.csv")) {
                HttpResponse<String> none = get(port, path, null);
                assertThat(none.statusCode()).as(path).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate")).as(path)
                        .hasValue("Basic realm=\"ditio-payroll-sync\", charset=\"UTF-8\"");
                assertThat(none.body()).doesNotContain("acme");
                assertThat(get(port, path, "ops:wrong").statusCode()).as(path).isEqualTo(401);
                assertThat(get(port, path, "ops:s3cret pass").statusCode()).as(path).isEqualTo(200);
            }
            // the answer does not echo the request's Authorization header
            assertThat(get(port, "/", "ops:s3cret pass").headers().map().keySet())
                    .noneMatch(k -> k.equalsIgnoreCase("Authorization"));
            assertThat(get(port, "/observe/health/ready", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void boundBeyondThisMachineWithoutCredentialsTheServiceDoesNotStart(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(company(), 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("OBSERVE_HOST", "0.0.0.0");
            CommandLineTest.Result result = CommandLineTest.run(dir, env, "run");
            assertThat(result.exit()).isEqualTo(2);
            assertThat(result.err().strip()).isEqualTo("Setting OBSERVE_HOST (observe.host): '0.0.0.0' lets other "
                    + "machines reach the operator's page, so it needs credentials: set OBSERVE_USER (observe.user) and "
                    + "OBSERVE_PASSWORD (observe.password), or bind to 127.0.0.1");
        }
    }

    @Test
    void theRunServiceSaysWhereItsPageIs(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SimulatedDitio ditio = SimulatedDitio.start(company(), 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("OBSERVE_PORT", Integer.toString(port));
            Process service = CommandLineTest.start(dir, env, "run");
            try {
                ObserveClient web = new ObserveClient(port);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> web.get("/").status() == 200);
                String line = "Operator's page at http://127.0.0.1:" + port + "/ (this machine only), health at http://127.0.0.1:"
                        + port + "/observe/health, metrics at http://127.0.0.1:" + port + "/observe/metrics";
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("stderr.txt")).contains(line));
                assertThat(Files.readString(dir.resolve("stderr.txt"))).containsOnlyOnce(line);
                // the next firing as the scheduler has it (SYNC_CRON's default: every half hour); the page may
                // answer a moment before Quartz holds the trigger, and says the cron's next firing until then
                await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(web.get("/api/companies/cli").body())
                        .get("schedule").get("nextFiringFrom").asText().equals("scheduler"));
                JsonNode schedule = JSON.readTree(web.get("/api/companies/cli").body()).get("schedule");
                assertThat(schedule.get("nextFiringFrom").asText()).isEqualTo("scheduler");
                java.time.Instant next = java.time.Instant.parse(schedule.get("nextFiring").asText());
                assertThat(next).isAfter(java.time.Instant.now().minusSeconds(60))
                        .isBefore(java.time.Instant.now().plus(Duration.ofMinutes(31)));
                assertThat(next.getEpochSecond() % 1800).isZero();
            } finally {
                String threads = AppProcess.stopOrDumpThreads(service, Duration.ofSeconds(30));
                assertThat(threads).as("the service exits on SIGTERM; its threads:%n%s", threads).isNull();
            }
        }
    }

    @Test
    void statusWritesThePageToAFileWithoutTheService(@TempDir Path dir) throws Exception {
        try (SimulatedDitio ditio = SimulatedDitio.start(company(), 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("PAYROLL_START_DATE", START.toString());
            String quarantinedId = null;
            CommandLineTest.Result first = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(first.exit()).as(first.err()).isZero();
            long open;
            String runId;
            try (Connection c = java.sql.DriverManager.getConnection(env.get("PAYROLL_STATE_DB_URL"), "sa", "");
                 ResultSet q = c.createStatement().executeQuery("SELECT record_id FROM quarantine ORDER BY record_id")) {
                q.next();
                quarantinedId = q.getString(1);
                open = 1;
                while (q.next()) {
                    open++;
                }
                ResultSet run = c.createStatement().executeQuery("SELECT run_id FROM sync_run");
                run.next();
                runId = run.getString(1);
            }
            ditio.data().editDescription(quarantinedId, "<script>alert(1)</script>");
            CommandLineTest.Result second = CommandLineTest.run(dir, env, "sync", "--once");
            assertThat(second.exit()).as(second.err()).isZero();

            // no Ditio settings needed: the state DB only
            Path file = dir.resolve("page.html");
            CommandLineTest.Result status = CommandLineTest.run(dir, Map.of("PAYROLL_STATE_DB_URL",
                    env.get("PAYROLL_STATE_DB_URL")), "status", "--html", file.toString());
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).endsWith("\nWrote the operator's page to " + file + "\n");
            String html = Files.readString(file);
            assertThat(html).startsWith("<!DOCTYPE html>").contains("Company cli")
                    .contains("<tr class=\"run\" data-run-id=\"" + runId + "\"")
                    .contains("<span class=\"quarantine-count\">" + open + "</span>")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script")
                    .contains("<svg class=\"chart hours\"");
            assertThat(html.split("<tr class=\"run\"", -1)).hasSize(3);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");

            CommandLineTest.Result wrong = CommandLineTest.run(dir, Map.of(), "status", "--html");
            assertThat(wrong.exit()).isEqualTo(64);
            assertThat(wrong.err()).startsWith("status --html takes one FILE, the page to write.\nUsage: ");

            // a file that cannot be written: one line naming it, no stack trace, nothing left behind
            Map<String, String> stateDb = Map.of("PAYROLL_STATE_DB_URL", env.get("PAYROLL_STATE_DB_URL"));
            Path noFolder = dir.resolve("no-such-folder/page.html");
            CommandLineTest.Result missing = CommandLineTest.run(dir, stateDb, "status", "--html", noFolder.toString());
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err().strip()).isEqualTo("status: cannot write " + noFolder + ": there is no folder "
                    + noFolder.getParent());
            CommandLineTest.Result folder = CommandLineTest.run(dir, stateDb, "status", "--html", dir.toString());
            assertThat(folder.exit()).isEqualTo(1);
            assertThat(folder.err().strip()).isEqualTo("status: cannot write " + dir + ": it is a folder");
            // a folder no file can be made in, even by root
            CommandLineTest.Result refused = CommandLineTest.run(dir, stateDb, "status", "--quarantine", "--csv", "/proc/q.csv");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err().strip()).startsWith("status: cannot write /proc/q.csv: ").doesNotContain("\n");
        }
    }

    /**
     * A full run, then an incremental one that corrects one delivered line (an hour more) and reads a
     * quarantined record again, its description now {@code description}.
     */
    static SyncRun[] fullThenIncremental(SyncHarness h, LocalDate last, String description) throws Exception {
        SyncRun full = h.runOnce();
        List<String[]> quarantined = h.quarantine();
        TimeRegistration delivered = h.ditio.data().liveTimeRegistrations(h.startDate, last).stream()
                .filter(r -> r.payrollApproved() && quarantined.stream().noneMatch(q -> q[0].equals(r.id())))
                .findFirst().orElseThrow();
        h.ditio.data().editHours(delivered.id(), delivered.qty().add(BigDecimal.ONE));
        h.ditio.data().editDescription(quarantined.get(0)[0], description);
        return new SyncRun[]{full, h.runOnce()};
    }

    /** Per target and work day, the hours of the ledger's lines the target holds (its entry marked H). */
    static Map<String, Map<LocalDate, BigDecimal>> ledgerHoursPerDay(SyncHarness h) throws Exception {
        return ledgerHoursPerDay(h, LocalDate.of(1900, 1, 1));
    }

    /** The same, for work days from {@code from} on. */
    static Map<String, Map<LocalDate, BigDecimal>> ledgerHoursPerDay(SyncHarness h, LocalDate from) throws Exception {
        Map<String, Map<LocalDate, BigDecimal>> out = new TreeMap<>();
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT work_date, quantity, targets FROM ledger_line "
                     + "WHERE company = 'acme' AND work_date >= DATE '" + from + "'")) {
            while (rs.next()) {
                LocalDate day = rs.getObject(1, LocalDate.class);
                for (String entry : rs.getString(3).split(";")) {
                    String[] f = entry.split(":");
                    if (f.length >= 3 && f[2].equals("H")) {
                        out.computeIfAbsent(f[0], k -> new TreeMap<>()).merge(day, rs.getBigDecimal(2), BigDecimal::add);
                    }
                }
            }
        }
        out.values().forEach(days -> days.replaceAll((d, v) -> v.stripTrailingZeros()));
        out.values().forEach(days -> days.values().removeIf(v -> v.signum() == 0));
        return out;
    }

    /** Active rows of payroll_line summed per work day (its employee|day|wage type keys summed). */
    static Map<LocalDate, BigDecimal> payrollLineHoursPerDay(SyncHarness h) throws Exception {
        Map<LocalDate, BigDecimal> out = new TreeMap<>();
        h.jdbcTotals().forEach((key, hours) -> out.merge(LocalDate.parse(key.split("\\|")[1]), hours, BigDecimal::add));
        out.replaceAll((d, v) -> v.stripTrailingZeros());
        return out;
    }

    static HttpResponse<String> get(int port, String path, String userAndPassword) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).GET();
        if (userAndPassword != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
