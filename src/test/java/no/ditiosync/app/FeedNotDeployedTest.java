package no.ditiosync.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.run.RunFinish;
import no.ditiosync.run.SyncSteps;
import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.TimeRegistration;
import no.ditiosync.testing.DeliveredPayroll;
import no.ditiosync.testing.PayrollTruth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static no.ditiosync.app.IncrementalLedgerTest.ALL_TARGETS;
import static no.ditiosync.app.IncrementalLedgerTest.assertEveryTargetHoldsTheTruth;
import static no.ditiosync.app.SyncEndToEndTest.LAST;
import static no.ditiosync.app.SyncEndToEndTest.company;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 404 on the first page of a feed's pass (the endpoint is not deployed on this environment,
 * docs/ditio-contract.md, "Errors") fails that feed only: the other feeds are delivered, exactly once, and
 * the operator sees what was left out in the log, the sync --once output and exit status, the run
 * report, status and the metrics.
 */
class FeedNotDeployedTest {

    static final String ABSENCE_404 = "Ditio has no endpoint for page 1 of /v1/absence-registrations (HTTP 404) on this "
            + "environment: check DITIO_REPORTING_BASE, or switch absences off (PAYROLL_ABSENCES=false) "
            + "(Ditio said: NotFound: No endpoint /reporting/v1/absence-registrations on this server.)";

    @Test
    void absencesNotDeployedLeaveOnlyThemOutAndAreDeliveredInFullOnceTheEndpointIsBack(@TempDir Path dir) throws Exception {
        Map<String, String> settings = new HashMap<>(ObservabilityTest.serverOn(ObserveClient.freePort()));
        settings.put("payroll.absences", "true");
        settings.put("payroll.targets", ALL_TARGETS);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        // the feed's ERROR is the pass's, the run's WARN summary its finish's
        Logger feedSyncLog = (Logger) LoggerFactory.getLogger(SyncSteps.class);
        Logger runFinishLog = (Logger) LoggerFactory.getLogger(RunFinish.class);
        log.start();
        feedSyncLog.addAppender(log);
        runFinishLog.addAppender(log);
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), settings)) {
            h.ditio.faults().undeploy(DitioPager.ABSENCES);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int exit = DitioPayrollSync.syncCompanies(h.app(), List.of("acme"), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), false);

            assertThat(exit).as("something asked for was not delivered").isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("succeeded in ").contains(", without feed absence\n")
                    .contains("  NOT DELIVERED: feed absence: " + ABSENCE_404 + "\n");
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualTo("Sync incomplete: feed absence not delivered: " + ABSENCE_404 + "\n");
            // the time registrations, exactly as Ditio holds them, in every target
            Function<Function<String[], String>, Map<String, BigDecimal>> timeTruth =
                    key -> PayrollTruth.sums(h.ditio.data(), h.startDate, key, PayrollTruth.Scope.TIME_ONLY);
            DeliveredPayroll.assertSums("Visma", h.vismaTotals(), timeTruth.apply(k -> k[0] + "|" + k[2]));
            DeliveredPayroll.assertSums("SAP", h.sapTotals(), timeTruth.apply(k -> k[0] + "|" + k[1] + "|" + k[2]));
            DeliveredPayroll.assertSums("payroll_line", h.jdbcTotals(), timeTruth.apply(k -> k[0] + "|" + k[1] + "|" + k[2]));
            DeliveredPayroll.assertSums("Tripletex", h.tripletexTotals(), timeTruth.apply(k -> k[0] + "|" + k[2]));
            DeliveredPayroll.assertSums("CSV", h.csvLineTotals(), timeTruth.apply(k -> k[4] + "|" + k[0] + "|" + k[1] + "|" + k[2]));
            assertThat(h.csvLineTotals().keySet()).allMatch(k -> k.startsWith("time:"));
            assertThat(h.watermarks()).as("no absence watermark: the next run makes a full absence pass")
                    .containsOnlyKeys("time", "user", "project");

            // where an operator looks: the log, the run log (status), the report, the metrics
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().asString().endsWith(": feed absence (/v1/absence-registrations) not read, its watermark "
                            + "stays and the run goes on with the other feeds: " + ABSENCE_404);
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().asString().contains(" succeeded without feed(s) absence: ")
                    .endsWith("; feed absence not delivered: " + ABSENCE_404);
            ByteArrayOutputStream status = new ByteArrayOutputStream();
            try (Connection c = h.stateDb().connect()) {
                StatusCommand.print(c, new PrintStream(status, true, StandardCharsets.UTF_8));
            }
            assertThat(status.toString(StandardCharsets.UTF_8)).contains("succeeded")
                    .contains("\n              feed absence not delivered: " + ABSENCE_404 + "\n");
            List<Path> reports = RunReports.list(dir.resolve("data/runs"));
            JsonNode report = RunReports.read(reports.get(0));
            assertThat(report.get("outcome").asText()).isEqualTo("succeeded");
            assertThat(report.get("feedsNotDelivered").toString())
                    .isEqualTo("{\"absence\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(ABSENCE_404) + "}");
            assertThat(report.get("message").asText()).isEqualTo("feed absence not delivered: " + ABSENCE_404);
            Map<String, Double> metrics = ObserveClient.samples(new ObserveClient(Integer.parseInt(settings.get("observe.port")))
                    .get("/observe/metrics").body());
            assertThat(metrics.get("ditio_sync_feed_failures_total{company=\"acme\",feed=\"absence\"}")).isEqualTo(1.0);
            assertThat(metrics.get("ditio_sync_runs_total{company=\"acme\",feed=\"time\",outcome=\"succeeded\"}")).isEqualTo(1.0);
            // the time watermark did move (only the absence one stayed): its lag is measured from this run
            assertThat(metrics.get("ditio_sync_watermark_lag_seconds{company=\"acme\",feed=\"time\"}"))
                    .as("time watermark lag").isNotNaN().isGreaterThanOrEqualTo(0.0);

            // the endpoint is deployed: the next run reads every absence (a full pass), and of time only what changed
            h.ditio.faults().deploy(DitioPager.ABSENCES);
            TimeRegistration edited = h.payrollReady().get(0);
            h.ditio.data().editHours(edited.id(), edited.qty().add(BigDecimal.ONE));

            SyncRun run = h.runOnce();

            assertThat(run.failedFeeds()).isEmpty();
            assertThat(run.pass("absence").mode()).isEqualTo(SyncRun.Mode.FULL);
            assertThat(run.pass("time").mode()).isEqualTo(SyncRun.Mode.INCREMENTAL);
            assertThat(run.linesByTarget().get("visma")).as("the edit, and every payroll-ready absence")
                    .isEqualTo(1 + PayrollTruth.payrollReadyAbsences(h.ditio.data(), h.startDate).size());
            assertEveryTargetHoldsTheTruth(h, "after the absences came");
            assertThat(h.watermarks()).containsOnlyKeys("time", "absence", "user", "project");
            Map<String, Double> after = ObserveClient.samples(new ObserveClient(Integer.parseInt(settings.get("observe.port")))
                    .get("/observe/metrics").body());
            assertThat(after.get("ditio_sync_feed_failures_total{company=\"acme\",feed=\"absence\"}")).isEqualTo(1.0);
        } finally {
            feedSyncLog.detachAppender(log);
            runFinishLog.detachAppender(log);
        }
    }

    @Test
    void usersNotDeployedAfterAGoodRunMapWithTheUsersAlreadyKnown(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3), Map.of("payroll.targets", ALL_TARGETS))) {
            h.runOnce();
            Map<String, String> first = h.watermarks();
            Map<String, String> users = h.employeesByUser();
            // a registration whose employee number comes from /v1/user only
            TimeRegistration edited = h.payrollReady().stream().filter(t -> (t.userEmployeeNumber() == null
                    || t.userEmployeeNumber().isEmpty()) && users.get(t.userId()) != null).findFirst().orElseThrow();
            h.ditio.data().editHours(edited.id(), new BigDecimal("3.25"));
            h.ditio.faults().undeploy(DitioPager.USERS);
            // a 503 after the 404: a feed left out does not cost the rest of the run its retries
            h.ditio.faults().atCall((int) h.ditio.faults().dataCalls() + 2).failNext(503, 1);

            SyncRun run = h.runOnce();

            assertThat(run.retries()).as("the 503 retried").isEqualTo(1);
            assertThat(run.failedFeeds()).containsOnlyKeys("user");
            assertThat(run.failedFeeds().get("user")).isEqualTo("Ditio has no endpoint for page 1 of /v1/user (HTTP 404) "
                    + "on this environment: check DITIO_REPORTING_BASE; until then runs use the users known from earlier runs "
                    + "(Ditio said: NotFound: No endpoint /reporting/v1/user on this server.)");
            assertThat(DeliveredPayroll.csvRows(List.of(SyncHarness.fileOf(run, "csv"))))
                    .extracting(r -> r.get("lineId") + " " + r.get("employeeNumber") + " " + r.get("quantity"))
                    .containsExactly("time:" + edited.id() + " " + users.get(edited.userId()) + " "
                            + new BigDecimal("3.25").subtract(edited.qty()).setScale(2, java.math.RoundingMode.HALF_UP));
            assertThat(run.notDelivered()).isEqualTo("feed user not read: " + run.failedFeeds().get("user"));
            assertEveryTargetHoldsTheTruth(h, "with the users of the first run");
            Map<String, String> now = h.watermarks();
            assertThat(now.get("user")).as("the user watermark stays").isEqualTo(first.get("user"));
            assertThat(now.get("time")).isNotEqualTo(first.get("time"));
            assertThat(now.get("project")).isNotEqualTo(first.get("project"));
        }
    }

    /**
     * A worker's new employee number in a run whose time feed was not deployed: the absences follow it at
     * once, his time lines once the feed answers again, though none of his registrations changed.
     */
    @Test
    void aWorkerRenumberedWhileAFeedIsLeftOutHasThatFeedsLinesFollowWhenItAnswers(@TempDir Path dir) throws Exception {
        try (SyncHarness h = new SyncHarness(company(), dir, LAST.minusWeeks(3),
                Map.of("payroll.targets", ALL_TARGETS, "payroll.absences", "true"))) {
            h.runOnce();
            TimeRegistration r = h.payrollReady().stream()
                    .filter(x -> x.userEmployeeNumber() == null || x.userEmployeeNumber().isBlank()).findFirst().orElseThrow();
            h.ditio.faults().undeploy(DitioPager.TIME_REGISTRATIONS);
            h.ditio.data().setEmployeeNumber(r.userId(), "8888");
            assertThat(h.runOnce().failedFeeds()).containsOnlyKeys("time");
            h.ditio.faults().deploy(DitioPager.TIME_REGISTRATIONS);

            SyncRun back = h.runOnce();

            assertThat(back.failedFeeds()).isEmpty();
            assertEveryTargetHoldsTheTruth(h, "once the time feed answers");
            assertThat(h.jdbcTotals().keySet()).anyMatch(k -> k.startsWith("8888|"));
            assertThat(h.runOnce().files()).as("the run after").isEmpty();
        }
    }
}
