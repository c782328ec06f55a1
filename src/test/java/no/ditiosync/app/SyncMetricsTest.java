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

    /**
     * A state DB that does not answer (the pool waits 10 s for each connection) does not hold a
     * scrape, which health waits behind on the server: the gauges show what they last knew, at once
     * for every company, and what the read finds once it answers.
     */
    @Test
    void aScrapeDoesNotWaitForAStateDbThatDoesNotAnswer() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SyncMetrics metrics = new SyncMetrics(registry, clock);
        java.util.concurrent.CountDownLatch answers = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Instant> watermark =
                new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-12-06T11:00:00Z"));
        List<String> companies = List.of("acme", "bolt", "crane", "dune", "elm");
        for (String company : companies) {
            metrics.watch(company, "time", List.of("time"), () -> {
                if (hang.get()) {
                    // as the pool does, waiting for a connection it cannot get, though not the full 10 s
                    answers.await(5, java.util.concurrent.TimeUnit.SECONDS);
                }
                return new Instant[] {watermark.get(), null};
            });
        }
        for (String company : companies) {
            assertThat(ObserveClient.samples(registry.scrape()))
                    .containsEntry("ditio_sync_watermark_lag_seconds{company=\"" + company + "\",feed=\"time\"}", 3600.0);
        }

        hang.set(true);
        watermark.set(Instant.parse("2026-12-06T12:05:00Z"));
        clock.advance(Duration.ofMinutes(10));
        long t0 = System.nanoTime();
        Map<String, Double> scraped = ObserveClient.samples(registry.scrape());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("a scrape of %d companies whose state DB reads hang took %d ms", companies.size(), ms)
                .isLessThan(2500);
        for (String company : companies) {
            // the watermark last known, an hour before the clock's old time: 70 minutes now
            assertThat(scraped).containsEntry("ditio_sync_watermark_lag_seconds{company=\"" + company + "\",feed=\"time\"}", 4200.0);
        }

        answers.countDown();
        clock.advance(SyncMetrics.STATE_READ_EVERY);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            clock.advance(SyncMetrics.STATE_READ_EVERY);
            Map<String, Double> now = ObserveClient.samples(registry.scrape());
            for (String company : companies) {
                assertThat(now.get("ditio_sync_watermark_lag_seconds{company=\"" + company + "\",feed=\"time\"}"))
                        .isLessThan(3600.0);
            }
        });
    }
}
