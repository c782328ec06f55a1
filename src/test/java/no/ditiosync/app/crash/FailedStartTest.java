package no.ditiosync.app.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import no.ditiosync.app.ObserveClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs that fail before they read anything from Ditio (an earlier run's committed drop that cannot
 * be published, a state DB that is down) are recorded like every other failed run: in the run log
 * when the state DB can take it, in the run report, in {@code ditio_sync_runs_total{outcome="failed"}},
 * and {@code status} shows them. The application runs as separate processes, as an operator runs it.
 */
class FailedStartTest {

    private static final long SEED = 21;
    private static final String RUNS = "ditio_sync_runs_total{company=\"acme\",feed=\"time\",outcome=\"%s\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aCommittedDropThatCannotBePublishedFailsEachRunVisiblyUntilItCan(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (CrashHarness h = new CrashHarness(SEED, dir).env("OBSERVE_PORT", Integer.toString(port))) {
            h.run("after-commit", CrashHarness.CRASHED, "crash");
            List<String> drop = h.query("SELECT run_id, final_path FROM drop_outbox WHERE target = 'visma'").get(0);
            String crashedRun = drop.get(0);
            // a file in the way of the committed visma drop: it cannot be published
            Path inTheWay = Path.of(drop.get(1));
            Files.writeString(inTheWay, "not the drop\r\n");

            CrashHarness.SyncProcess blocked = h.run(null, 1, "blocked");
            String cause = "the visma drop of run " + crashedRun + " is committed but could not be published (";
            List<List<String>> failed = h.query("SELECT run_id, mode, outcome, message FROM sync_run WHERE run_id <> ?",
                    crashedRun);
            assertThat(failed).as("the run log\n%s", blocked.output()).hasSize(1);
            String runId = failed.get(0).get(0);
            assertThat(failed.get(0).subList(1, 3)).containsExactly("incremental", "failed");
            assertThat(failed.get(0).get(3)).startsWith("failed before reading Ditio: " + cause)
                    .contains("a different drop was already published under this name");
            assertThat(Files.readString(blocked.stderr(), StandardCharsets.UTF_8))
                    .contains("ERROR [RunFinish] Run " + runId + " of company acme failed, watermark and ledger unchanged: "
                            + "failed before reading Ditio: " + cause)
                    .contains("Sync failed: " + cause);

            JsonNode report = report(dir.resolve("data/runs"), runId);
            assertThat(report.path("outcome").asText()).isEqualTo("failed");
            assertThat(report.path("committed").asBoolean()).isFalse();
            assertThat(report.path("mode").asText()).isEqualTo("incremental");
            assertThat(report.path("message").asText()).isEqualTo(failed.get(0).get(3));

            CrashHarness.SyncProcess status = h.command("status", "status");
            String shown = Files.readString(status.stdout(), StandardCharsets.UTF_8);
            assertThat(shown).as(status.output()).containsPattern(runId + " .* incremental +failed ")
                    .contains("              failed before reading Ditio: " + cause)
                    .containsPattern("acme-time-\\d{8}T\\d{9}Z-" + runId + "\\.json +failed ")
                    .contains("      failed before reading Ditio: " + cause);

            // the service: each firing fails so, and the metrics count it; once the file is out of the way, it delivers
            CrashHarness.SyncProcess service = h.env("SYNC_CRON", "* * * * * ?").startService("service");
            ObserveClient web = new ObserveClient(port);
            await("a failed run in the metrics").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> sample(web, RUNS.formatted("failed")) >= 1);
            assertThat(sample(web, RUNS.formatted("succeeded"))).isZero();
            Files.delete(inTheWay);
            await("a succeeded run in the metrics").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> sample(web, RUNS.formatted("succeeded")) >= 1);
            service.process().destroy();
            assertThat(service.awaitExit()).isEqualTo(143);
            h.assertPayrollEqualsTruth("after the committed drop could be published");
        }
    }

    @Test
    void aStateDbThatIsDownIsInTheReportAndTheMetricsAndStatusSaysSo(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try (CrashHarness h = new CrashHarness(SEED, dir)) {
            // the driver gives up on a database that is down after 2 s, and so does the pool's wait
            h.env("PAYROLL_STATE_DB_URL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres?connectTimeout=2")
                    .env("PAYROLL_STATE_DB_USER", "postgres").env("PAYROLL_STATE_DB_PASSWORD", "")
                    .env("SYNC_REPORT_DIR", dir.resolve("runs").toString())
                    .env("SYNC_CRON", "0/3 * * * * ?").env("OBSERVE_PORT", Integer.toString(port));
            CrashHarness.SyncProcess service = h.startService("service");
            ObserveClient web = new ObserveClient(port);
            await("a succeeded run").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> sample(web, RUNS.formatted("succeeded")) >= 1);

            pg.close();
            await("a failed run in the metrics").atMost(Duration.ofSeconds(120)).ignoreExceptions()
                    .until(() -> sample(web, RUNS.formatted("failed")) >= 1);
            // the report is written right after the metric is counted
            // a run that was reading when the database went away fails differently: the first run that
            // finds it down is the one whose report is checked; so is one that planned its passes before the
            // database was gone: a run that found it down from its start planned none (its report has no mode)
            await("a run that failed before it could plan its passes").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> reports(dir.resolve("runs")).stream().anyMatch(FailedStartTest::failedBeforePlanning));
            List<JsonNode> failed = reports(dir.resolve("runs")).stream().filter(FailedStartTest::failedBeforePlanning).toList();
            String message = failed.get(0).path("message").asText();
            assertThat(message).startsWith("failed before reading Ditio: the state DB cannot be used (")
                    .contains("; this attempt is not in the run log: the state DB could not record it (");
            assertThat(Files.readString(service.stderr(), StandardCharsets.UTF_8))
                    .contains("of company acme failed, watermark and ledger unchanged: " + message);

            CrashHarness.SyncProcess status = h.command("status", "status");
            assertThat(status.process().exitValue()).isEqualTo(2);
            assertThat(Files.readString(status.stderr(), StandardCharsets.UTF_8))
                    .startsWith("Setting PAYROLL_STATE_DB_URL (payroll.state-db-url): cannot connect to PostgreSQL at ");
            assertThat(Files.readString(status.stdout(), StandardCharsets.UTF_8)).as(status.output())
                    .contains("Run reports in " + dir.resolve("runs"))
                    .containsPattern("acme-time-\\d{8}T\\d{9}Z-" + failed.get(0).path("runId").asText()
                            + "\\.json +failed +- ")
                    .contains("      " + message);

            service.process().destroy();
            assertThat(service.awaitExit()).isEqualTo(143);
        } finally {
            pg.close();
        }
    }

    private static boolean failedBeforePlanning(JsonNode report) {
        return report.path("outcome").asText().equals("failed")
                && report.path("message").asText().startsWith("failed before reading Ditio") && report.path("mode").isNull();
    }

    private static double sample(ObserveClient web, String name) throws Exception {
        Map<String, Double> samples = ObserveClient.samples(web.get("/observe/metrics").body());
        return samples.getOrDefault(name, 0.0);
    }

    private static JsonNode report(Path folder, String runId) throws Exception {
        return reports(folder).stream().filter(r -> r.path("runId").asText().equals(runId)).findFirst()
                .orElseThrow(() -> new AssertionError("no report of run " + runId + " in " + folder));
    }

    private static List<JsonNode> reports(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().map(f -> {
                try {
                    return JSON.readTree(f.toFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
