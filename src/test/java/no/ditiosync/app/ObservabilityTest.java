package no.ditiosync.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The run service's health and metrics server, for real: the application against the simulator,
 * the endpoints read over loopback with the JDK's HttpClient.
 */
class ObservabilityTest {

    static final LocalDate LAST = LocalDate.of(2026, 11, 27);
    static final LocalDate START = LAST.minusWeeks(2);
    static final String FEED = "{company=\"acme\",feed=\"time\"";

    static SimulatorConfig company() {
        return SimulatorConfig.defaults().seed(11).workers(15).weeks(2).lastWorkDate(LAST);
    }

    static Map<String, String> serverOn(int port) {
        Map<String, String> s = new HashMap<>();
        s.put("observe.server", "true");
        s.put("observe.port", Integer.toString(port));
        s.put("ditio.retry.initial-delay", "20ms");
        return s;
    }

    @Test
    void readyThenMetricsOfARealRunAndOfAFailedOne(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(company(), dir, START, serverOn(port))) {
            h.app();
            ObserveClient web = new ObserveClient(port);

            ObserveClient.Response ready = web.get("/observe/health/ready?exposureLevel=full");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).startsWith("{\"status\":\"UP\"")
                    .contains("{\"name\":\"state-db\",\"status\":\"UP\"}")
                    .contains("{\"name\":\"route:sync\",\"status\":\"UP\"}");
            ObserveClient.Response live = web.get("/observe/health/live?exposureLevel=full");
            assertThat(live).isEqualTo(new ObserveClient.Response(200,
                    "{\"status\":\"UP\",\"checks\":[{\"name\":\"context\",\"status\":\"UP\"}]}"));

            // a run with two 503s on its second page: two retries
            h.ditio.faults().atCall(3).failNext(503, 2);
            SyncRun run = h.runOnce();
            Instant before = Instant.now();
            Map<String, Double> m = ObserveClient.samples(web.get("/observe/metrics").body());
            Instant after = Instant.now();

            long served = h.ditio.data().liveTimeRegistrations(START, START.plusYears(1)).size();
            assertThat(served).isEqualTo(300);
            assertThat(run.recordsRead()).isEqualTo(served);
            assertThat(m.get("ditio_sync_records_read_total" + FEED + "}")).isEqualTo(served);
            assertThat(m.get("ditio_sync_deletions_read_total" + FEED + "}")).isEqualTo(0.0);
            assertThat(m.get("ditio_sync_retries_total" + FEED + "}")).isEqualTo(2.0);
            assertThat(h.filesOf("visma")).hasSize(1);
            assertThat(h.filesOf("sap")).hasSize(1);
            assertThat(m.get("ditio_sync_lines_delivered_total" + FEED + ",target=\"visma\"}"))
                    .isEqualTo(h.lineCount(h.filesOf("visma").get(0)));
            assertThat(m.get("ditio_sync_lines_delivered_total" + FEED + ",target=\"sap\"}"))
                    .isEqualTo(h.lineCount(h.filesOf("sap").get(0)));
            assertThat(m.get("ditio_sync_lines_delivered_total" + FEED + ",target=\"jdbc\"}")).isEqualTo(payrollLineRows(h));
            assertThat(m.get("ditio_sync_quarantined_total" + FEED + "}")).isEqualTo(h.quarantine().size()).isEqualTo(8.0);
            assertThat(m.get("ditio_sync_runs_total" + FEED + ",outcome=\"succeeded\"}")).isEqualTo(1.0);
            assertThat(m.get("ditio_sync_run_duration_seconds_count" + FEED + ",outcome=\"succeeded\"}")).isEqualTo(1.0);
            assertThat(m.get("ditio_sync_run_duration_seconds_sum" + FEED + ",outcome=\"succeeded\"}"))
                    .isCloseTo(Duration.between(run.startedAt(), run.endedAt()).toNanos() / 1e9, within(1e-9));
            assertThat(m.get("ditio_sync_last_success_timestamp_seconds" + FEED + "}"))
                    .isEqualTo(run.endedAt().toEpochMilli() / 1000.0);
            // the watermark is the run's start; the gauge reads the clock when scraped
            assertThat(m.get("ditio_sync_watermark_lag_seconds" + FEED + "}")).isBetween(
                    Duration.between(run.startedAt(), before).toMillis() / 1000.0,
                    Duration.between(run.startedAt(), after).toMillis() / 1000.0);

            // a run that fails: counted as failed, nothing delivered, the last success stays
            h.ditio.faults().failNext(403, 1);
            assertThatThrownBy(h::runOnce).hasMessageContaining("HTTP 403");
            Map<String, Double> failed = ObserveClient.samples(web.get("/observe/metrics").body());
            assertThat(failed.get("ditio_sync_runs_total" + FEED + ",outcome=\"failed\"}")).isEqualTo(1.0);
            assertThat(failed.get("ditio_sync_runs_total" + FEED + ",outcome=\"succeeded\"}")).isEqualTo(1.0);
            assertThat(failed.get("ditio_sync_run_duration_seconds_count" + FEED + ",outcome=\"failed\"}")).isEqualTo(1.0);
            assertThat(failed.get("ditio_sync_records_read_total" + FEED + "}")).isEqualTo(served);
            assertThat(failed.get("ditio_sync_lines_delivered_total" + FEED + ",target=\"visma\"}"))
                    .isEqualTo(h.lineCount(h.filesOf("visma").get(0)));
            assertThat(failed.get("ditio_sync_last_success_timestamp_seconds" + FEED + "}"))
                    .isEqualTo(run.endedAt().toEpochMilli() / 1000.0);
        }
    }

    @Test
    void readinessGoesDownWithTheStateDbWhileLivenessStaysUp(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        // a PostgreSQL of this test's own, to stop in the middle of it
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try {
            TestDatabase db = new TestDatabase("PostgreSQL",
                    "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", "");
            try (SyncHarness h = new SyncHarness(company(), dir, START, db, serverOn(port))) {
                h.runOnce();
                ObserveClient web = new ObserveClient(port);
                assertThat(web.get("/observe/health/ready").status()).isEqualTo(200);

                pg.close();

                await().atMost(Duration.ofSeconds(60)).until(() -> web.get("/observe/health/ready").status() == 503);
                ObserveClient.Response down = web.get("/observe/health/ready");
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.body()).startsWith("{\"status\":\"DOWN\"").contains("\"name\":\"state-db\",\"status\":\"DOWN\"")
                        .doesNotContain("route:");
                ObserveClient.Response live = web.get("/observe/health/live");
                assertThat(live).isEqualTo(new ObserveClient.Response(200, "{\"status\":\"UP\"}"));
            }
        } finally {
            pg.close();
        }
    }

    @Test
    void theRunServiceIsNotReadyUntilItsSchedulesAreAdded(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        Map<String, String> settings = serverOn(port);
        settings.put("sync.scheduled", "true");
        try (SyncHarness h = new SyncHarness(company(), dir, START, settings)) {
            SyncApplication service = h.app();
            ObserveClient web = new ObserveClient(port);

            // Camel has started, the schedule routes are not there yet: a probe must not send work here
            ObserveClient.Response starting = web.get("/observe/health/ready?exposureLevel=full");
            assertThat(starting.status()).isEqualTo(503);
            assertThat(starting.body()).startsWith("{\"status\":\"DOWN\"")
                    .contains("{\"name\":\"schedules\",\"status\":\"DOWN\",\"message\":\"the schedules are not added yet\"}");

            service.startSchedules();
            ObserveClient.Response ready = web.get("/observe/health/ready?exposureLevel=full");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).startsWith("{\"status\":\"UP\"")
                    .contains("{\"name\":\"schedules\",\"status\":\"UP\"}")
                    .contains("{\"name\":\"route:" + SyncSchedules.TEMPLATE + "-acme\",\"status\":\"UP\"}");
            ObserveClient.Response live = web.get("/observe/health/live");
            assertThat(live).isEqualTo(new ObserveClient.Response(200, "{\"status\":\"UP\"}"));
        }
    }

    @Test
    void noServerUnlessTheRunCommandAsksForIt(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (SyncHarness h = new SyncHarness(company(), dir, START, Map.of("observe.port", Integer.toString(port)))) {
            h.runOnce();
            assertThatThrownBy(() -> new ObserveClient(port).get("/observe/health")).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aPortInUseStopsStartUpWithOneLine(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             SyncHarness h = new SyncHarness(company(), dir, START, serverOn(taken.getLocalPort()))) {
            assertThatThrownBy(h::app).isInstanceOf(SettingsException.class).hasMessage(
                    "Setting OBSERVE_PORT (observe.port): cannot listen on 127.0.0.1:" + taken.getLocalPort()
                            + " (Address already in use); set OBSERVE_PORT or OBSERVE_HOST (observe.host)");
        }
    }

    @Test
    void theRunServiceServesReadinessOnItsPort(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        try (var ditio = no.ditiosync.simulator.SimulatedDitio.start(company(), 0)) {
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            env.put("OBSERVE_PORT", Integer.toString(port));
            Process service = CommandLineTest.start(dir, env, "run");
            try {
                ObserveClient web = new ObserveClient(port);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> web.get("/observe/health/ready").status() == 200);
                assertThat(web.get("/observe/health/ready").body()).isEqualTo("{\"status\":\"UP\"}");
                assertThat(web.get("/observe/metrics").body()).contains("# TYPE ditio_sync_watermark_lag_seconds gauge");
            } finally {
                String threads = AppProcess.stopOrDumpThreads(service, Duration.ofSeconds(30));
                assertThat(threads == null).as("the service exits on SIGTERM; its log:%n%s%nits threads:%n%s",
                        java.nio.file.Files.readString(dir.resolve("stderr.txt")), threads).isTrue();
            }
        }
    }

    private static long payrollLineRows(SyncHarness h) throws Exception {
        try (Connection c = h.stateDb().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM payroll_line")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
