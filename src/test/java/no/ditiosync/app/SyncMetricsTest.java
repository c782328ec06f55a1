package no.ditiosync.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import no.ditiosync.state.RunStore;
import no.ditiosync.state.StateDb;
import no.ditiosync.testing.MutableClock;
import no.ditiosync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters as Prometheus scrapes them from one node of several: the outcome counters exist at 0
 * before any run (an alert on their increase sees the first failure), and the watermark gauges say
 * what the state DB holds, moved by runs of other nodes, not what this node saw at its start.
 */
class SyncMetricsTest {

    @Test
    void theCountersStartAtZeroAndTheGaugesFollowTheStateDbThatOtherNodesWrite(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
        TestDatabase db = TestDatabase.h2(dir.resolve("state"));
        StateDb stateDb = new StateDb(db.dataSource(), "test");
        RunStore runs = new RunStore(stateDb);
        try (Connection c = stateDb.connection()) {
            runs.moveWatermark(c, "acme", "time", Instant.parse("2026-12-06T11:30:00Z"), "r1");
            runs.moveWatermark(c, "acme", "absence", Instant.parse("2026-12-06T11:00:00Z"), "r1");
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SyncMetrics metrics = new SyncMetrics(registry, clock);
        metrics.watch("acme", "time", List.of("time", "absence", "user", "project"),
                () -> new Instant[] {runs.oldestWatermark("acme", List.of("time", "absence")), null});

        Map<String, Double> scraped = ObserveClient.samples(registry.scrape());
        for (String outcome : List.of("succeeded", "failed", "skipped")) {
            assertThat(scraped).containsEntry("ditio_sync_runs_total{company=\"acme\",feed=\"time\",outcome=\"" + outcome + "\"}", 0.0);
        }
        for (String feed : List.of("time", "absence", "user", "project")) {
            assertThat(scraped).containsEntry("ditio_sync_feed_failures_total{company=\"acme\",feed=\"" + feed + "\"}", 0.0);
        }
        // the oldest watermark of the feeds delivered: absence's, an hour ago
        assertThat(scraped).containsEntry("ditio_sync_watermark_lag_seconds{company=\"acme\",feed=\"time\"}", 3600.0);

        // another node's runs move both watermarks; this node ran none of them
        try (Connection c = stateDb.connection()) {
            runs.moveWatermark(c, "acme", "time", Instant.parse("2026-12-06T12:04:00Z"), "r2");
            runs.moveWatermark(c, "acme", "absence", Instant.parse("2026-12-06T12:04:00Z"), "r2");
        }
        clock.advance(Duration.ofMinutes(5));
        assertThat(ObserveClient.samples(registry.scrape()))
                .containsEntry("ditio_sync_watermark_lag_seconds{company=\"acme\",feed=\"time\"}", 60.0);
    }
}
