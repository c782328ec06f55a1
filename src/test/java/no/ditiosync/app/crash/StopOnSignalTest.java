package no.ditiosync.app.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping the application while a run is in the middle of a slow pass, with the default H2 state
 * DB, as an operator or a service manager does: SIGTERM to the {@code run} service, Ctrl+C (SIGINT)
 * to {@code sync --once}. The run in progress either finishes and delivers exactly Ditio's truth, or,
 * when it cannot finish within {@code camel.main.shutdown-timeout}, fails cleanly: recorded as
 * failed, watermark and ledger unchanged, no temporary file left, and the next run delivers
 * everything once.
 */
class StopOnSignalTest {

    private static final long SEED = 12;
    /** camel.main.shutdown-timeout's default: how long a stop lets a run in progress go on. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(45);
    private static final Pattern PAGE_STORED = Pattern.compile("Run ([0-9a-f]{8}): page (\\d+) of \\w+ read");

    @Test
    void serviceStoppedBySigtermMidPassLetsTheRunFinish(@TempDir Path dir) throws Exception {
        int port = no.ditiosync.app.ObserveClient.freePort();
        try (CrashHarness h = new CrashHarness(SEED, dir).readOnlyReads().chunkLimit(40).env("SYNC_CRON", "* * * * * ?")
                .env("OBSERVE_PORT", Integer.toString(port))) {
            h.ditio.faults().pageDelayMillis(150);
            CrashHarness.SyncProcess service = h.startService("service");
            // the firings that come while the run is busy are skipped, and counted so, not as failed
            no.ditiosync.app.ObserveClient web = new no.ditiosync.app.ObserveClient(port);
            String runs = "ditio_sync_runs_total{company=\"acme\",feed=\"time\",outcome=\"%s\"}";
            await("a skipped firing").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                    no.ditiosync.app.ObserveClient.samples(web.get("/observe/metrics").body())
                            .getOrDefault(runs.formatted("skipped"), 0.0) >= 1);
            assertThat(no.ditiosync.app.ObserveClient.samples(web.get("/observe/metrics").body()))
                    .containsEntry(runs.formatted("failed"), 0.0);
            awaitPage(service, 4);

            long signalled = System.nanoTime();
            service.process().destroy(); // SIGTERM
            assertThat(service.process().waitFor(SHUTDOWN_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS))
                    .as("the service exits after SIGTERM\n%s", service.output()).isTrue();
            assertThat(service.process().exitValue()).as("Java's exit status after SIGTERM, as run --help says").isEqualTo(143);
            Duration stopping = Duration.ofNanos(System.nanoTime() - signalled);
            assertThat(stopping).as("stopped within camel.main.shutdown-timeout").isLessThan(SHUTDOWN_TIMEOUT);

            String log = Files.readString(service.stderr(), StandardCharsets.UTF_8);
            String afterSignal = log.substring(log.indexOf("Stopping: no new scheduled runs"));
            assertThat(afterSignal).as("the run went on after the signal\n%s", service.output()).containsPattern(PAGE_STORED)
                    .contains("succeeded").contains("Stopped");
            assertThat(log).as(service.output()).doesNotContain("failed", "ERROR", "Database is already closed", "exclusive mode");
            assertThat(h.query("SELECT outcome FROM sync_run")).as("the one run that started").containsExactly(List.of("succeeded"));
            h.assertPayrollEqualsTruth("after the service was stopped in the middle of a run");
            assertThat(h.published("visma")).hasSize(1);
        }
    }

    @Test
    void syncOnceInterruptedByCtrlCMidPassFinishesTheRun(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir).readOnlyReads().chunkLimit(40)) {
            h.ditio.faults().pageDelayMillis(150);
            CrashHarness.SyncProcess sync = h.start(null, "sync");
            awaitPage(sync, 4);

            interrupt(sync.process());
            assertThat(sync.process().waitFor(SHUTDOWN_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS))
                    .as("sync --once exits after Ctrl+C\n%s", sync.output()).isTrue();
            assertThat(sync.process().exitValue()).as("Java's exit status after SIGINT, as sync --help says").isEqualTo(130);

            String log = Files.readString(sync.stderr(), StandardCharsets.UTF_8);
            assertThat(log).as(sync.output()).doesNotContain("failed", "ERROR", "Database is already closed", "exclusive mode");
            assertThat(Files.readString(sync.stdout(), StandardCharsets.UTF_8)).as(sync.output()).contains("succeeded");
            assertThat(h.query("SELECT outcome FROM sync_run")).containsExactly(List.of("succeeded"));
            h.assertPayrollEqualsTruth("after sync --once was interrupted in the middle of its run");
            assertThat(h.published("visma")).hasSize(1);
        }
    }

    /**
     * The stop's time is up (camel.main.shutdown-timeout, 2 s here) long before the run could end: the
     * run fails cleanly, recorded as such, and the next run delivers everything once.
     */
    @Test
    void syncOnceInterruptedAndCutShortByTheShutdownTimeoutFailsCleanly(@TempDir Path dir) throws Exception {
        try (CrashHarness h = new CrashHarness(SEED, dir).readOnlyReads().chunkLimit(40).env("CAMEL_MAIN_SHUTDOWNTIMEOUT", "2")) {
            h.ditio.faults().pageDelayMillis(400);
            CrashHarness.SyncProcess sync = h.start(null, "cut-short");
            awaitPage(sync, 2);

            long signalled = System.nanoTime();
            interrupt(sync.process());
            assertThat(sync.process().waitFor(60, TimeUnit.SECONDS)).as("sync --once exits\n%s", sync.output()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("stopped soon after the 2 s\n%s", sync.output())
                    .isLessThan(Duration.ofSeconds(15));
            String runId = sync.runId();
            assertThat(Files.readString(sync.stderr(), StandardCharsets.UTF_8)).as(sync.output())
                    .contains("ERROR [RunFinish] Run " + runId + " failed, watermark and ledger unchanged: the application was "
                            + "asked to stop and the run did not end within camel.main.shutdown-timeout")
                    .contains("Sync failed: the application was asked to stop and the run did not end within "
                            + "camel.main.shutdown-timeout")
                    .doesNotContain("Database is already closed");

            // the state DB opens, and says what happened; nothing was delivered, nothing is left half-done
            assertThat(h.query("SELECT run_id, outcome FROM sync_run")).containsExactly(List.of(runId, "failed"));
            assertThat(h.query("SELECT message FROM sync_run").get(0).get(0)).isEqualTo(
                    "the application was asked to stop and the run did not end within camel.main.shutdown-timeout");
            h.assertNothingDelivered();

            h.ditio.faults().pageDelayMillis(0);
            h.run(null, 0, "next");
            h.assertPayrollEqualsTruth("after a run cut short by the stop and the next run");
            assertThat(h.published("visma")).hasSize(1);
            assertThat(h.published("sap")).hasSize(1);
        }
    }

    /** Waits until the process has stored page {@code page} of its run. */
    private static void awaitPage(CrashHarness.SyncProcess p, int page) {
        await("page " + page + " of " + p.label()).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertThat(p.process().isAlive()).as("%s still running\n%s", p.label(), p.output()).isTrue();
                    Matcher m = PAGE_STORED.matcher(Files.readString(p.stderr(), StandardCharsets.UTF_8));
                    int last = 0;
                    while (m.find()) {
                        last = Integer.parseInt(m.group(2));
                    }
                    return last >= page;
                });
    }

    /** Ctrl+C on a terminal: SIGINT to the process. */
    private static void interrupt(Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -INT sent").isTrue();
    }
}
