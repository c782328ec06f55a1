package no.ditiosync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import no.ditiosync.ditio.DitioPager;
import no.ditiosync.simulator.SimulatedDitio;
import no.ditiosync.simulator.SimulatorConfig;
import no.ditiosync.testing.AppProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard and the Prometheus alert rules of deploy/ query only metrics the application
 * exports: the names in their expressions are compared with a real scrape of the {@code run} service
 * after scheduled runs against the simulator (one feed not deployed, so every meter is there).
 */
class MonitoringFilesTest {

    private static final Path DEPLOY = AppProcess.projectRoot().resolve("deploy");
    private static final Pattern METRIC = Pattern.compile("\\b(ditio_sync_[a-z_]+|camel_[a-z_]+)\\b");

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/ditio-payroll-sync-dashboard.json").toFile());
        assertThat(dashboard.path("title").asText()).isEqualTo("ditio-payroll-sync");
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    private static Map<String, String> alertExpressions() throws Exception {
        JsonNode rules = new YAMLMapper().readTree(DEPLOY.resolve("prometheus/ditio-payroll-sync-alerts.yaml").toFile());
        Map<String, String> alerts = new java.util.LinkedHashMap<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("labels").path("severity").asText()).as(rule.toString()).isNotEmpty();
                alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return alerts;
    }

    private static Set<String> names(Iterable<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void theDashboardAndAlertsCoverRunsLinesQuarantineLagDurationAndFeeds() throws Exception {
        assertThat(names(dashboardExpressions())).contains("ditio_sync_runs_total", "ditio_sync_lines_delivered_total",
                "ditio_sync_quarantined_total", "ditio_sync_watermark_lag_seconds", "ditio_sync_run_duration_seconds_sum",
                "ditio_sync_run_duration_seconds_count", "ditio_sync_feed_failures_total");
        Map<String, String> alerts = alertExpressions();
        assertThat(alerts).containsOnlyKeys("DitioSyncWatermarkLagging", "DitioSyncRunFailed", "DitioSyncQuarantineGrowing",
                "DitioSyncFeedNotDelivered");
        // two schedule intervals of SYNC_CRON's default (every 30 minutes)
        assertThat(alerts.get("DitioSyncWatermarkLagging")).isEqualTo("ditio_sync_watermark_lag_seconds > 2 * 1800");
        assertThat(AppProcess.projectRoot().resolve("application.properties")).content()
                .contains("sync.cron = {{env:SYNC_CRON:0 0/30 * * * ?}}");
        assertThat(alerts.get("DitioSyncRunFailed")).contains("ditio_sync_runs_total{outcome=\"failed\"}");
    }

    @Test
    void everyMetricTheyQueryIsInAScrapeOfARealRun(@TempDir Path dir) throws Exception {
        Set<String> queried = names(dashboardExpressions());
        queried.addAll(names(alertExpressions().values()));

        try (SimulatedDitio ditio = SimulatedDitio.start(SimulatorConfig.defaults().seed(4).workers(5).weeks(1), 0)) {
            ditio.faults().undeploy(DitioPager.ABSENCES);
            Map<String, String> env = CommandLineTest.envFor(ditio, dir);
            int port = AppProcess.freePort();
            env.put("OBSERVE_PORT", Integer.toString(port));
            env.put("SYNC_CRON", "0/3 * * * * ?");
            env.put("PAYROLL_ABSENCES", "true");
            Process service = AppProcess.builder(env, List.of(), false, "run")
                    .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                    .start();
            try {
                ObserveClient web = new ObserveClient(port);
                String[] scrape = new String[1];
                await("two scheduled runs in the metrics").atMost(Duration.ofSeconds(150)).ignoreExceptions().until(() -> {
                    scrape[0] = web.get("/observe/metrics").body();
                    Double runs = ObserveClient.samples(scrape[0])
                            .get("ditio_sync_runs_total{company=\"cli\",feed=\"time\",outcome=\"succeeded\"}");
                    return runs != null && runs >= 2;
                });
                Set<String> exported = new TreeSet<>();
                for (String line : scrape[0].lines().toList()) {
                    if (!line.startsWith("#") && !line.isBlank()) {
                        exported.add(line.split("[{ ]", 2)[0]);
                    }
                }
                assertThat(exported).contains("ditio_sync_feed_failures_total");
                assertThat(exported).as("every metric the dashboard and the alerts query").containsAll(queried);
            } finally {
                service.destroy();
                assertThat(service.waitFor(90, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
