package no.ditiosync.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import no.ditiosync.run.RunObserver;
import no.ditiosync.run.SyncRun;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sync's meters, fed once per run when it ends, tagged by company and feed (and target):
 * <pre>
 * ditio_sync_runs_total{outcome}                 runs ended, succeeded or failed (also those that failed before
 *                                                they started), or skipped because another run of the feed was busy
 * ditio_sync_run_duration_seconds{outcome}       how long they took (count, sum, max)
 * ditio_sync_records_read_total                  time registrations read from Ditio (failed runs too)
 * ditio_sync_deletions_read_total                of which deletions (tombstones)
 * ditio_sync_retries_total                       Ditio calls retried (429, 5xx, timeouts, …)
 * ditio_sync_lines_delivered_total{target}       payroll lines committed to each target
 * ditio_sync_quarantined_total                   records held in quarantine by committed runs, each run counting
 *                                                all it holds (newly or still): per run, the open quarantine
 * ditio_sync_last_success_timestamp_seconds      end of the last run that succeeded (Unix time)
 * ditio_sync_watermark_lag_seconds               now − the watermark: how old the newest delivered state is
 * ditio_sync_feed_failures_total{feed}           feeds a run left out, their endpoint not deployed (feed: time,
 *                                                absence, payroll, user, project), or read in part (user, project:
 *                                                a row that could not be read); the run delivered the others
 * </pre>
 * Lines and quarantine count only once a run's ledger is committed (a run that failed before
 * that delivered nothing). The two gauges read the state DB ({@link #watch}), at most every
 * {@link #STATE_READ_EVERY} on a scrape, which waits for that at most {@link #STATE_READ_WAIT}: in a
 * cluster a node that runs none of a company's firings still says what the cluster delivered, not
 * what it saw at its start. The counters of outcomes
 * and feed failures exist at 0 from the start, so an alert on their increase sees the first one.
 */
public final class SyncMetrics implements RunObserver {

    private static final String RUNS = "Runs ended (succeeded, failed) or skipped (another run of the feed was busy)";
    private static final String FEED_FAILURES = "Feeds left out of a run (their endpoint is not deployed on this environment), or read in part (a user or project row that could not be read)";

    /** How stale the gauges' reading of the state DB may be. */
    static final Duration STATE_READ_EVERY = Duration.ofSeconds(10);
    /**
     * How long a scrape waits for that reading. The gauges are read on the server's ordered blocking
     * queue, which health shares: a scrape waiting on a state DB that is down (the pool waits 10 s for a
     * connection, twice) would hold liveness past the probe's timeout and Prometheus past its own.
     */
    static final Duration STATE_READ_WAIT = Duration.ofSeconds(1);

    /**
     * The state DB reads of the gauges, off the scrape. One daemon thread, gone when idle: Micrometer
     * calls a gauge's function synchronously and offers no cached or asynchronous gauge, so the
     * bounded wait is ours; one thread because every read goes to the same database.
     */
    private final ThreadPoolExecutor reader = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "sync-metrics-state-db");
                t.setDaemon(true);
                return t;
            });
    private final AtomicInteger readsOutstanding = new AtomicInteger();

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<Tags, FeedState> feeds = new ConcurrentHashMap<>();

    /** Where a feed's delivered state is read: its watermark and the end of its last successful run. */
    public interface DeliveredState {
        /** @return {watermark, last success}, either may be null */
        Instant[] read() throws Exception;
    }

    /** What the gauges of one company and feed read. */
    private final class FeedState {
        volatile Instant lastSuccess;
        volatile Instant watermark;
        volatile DeliveredState source;
        volatile Instant readAt;
        private Future<?> reading;

        /**
         * The state DB's view, read again once {@link #STATE_READ_EVERY} has passed; the last one when it
         * cannot be read, or not within {@link #STATE_READ_WAIT}: the read goes on off the scrape and
         * what it finds is shown by a later one.
         */
        FeedState fresh() {
            DeliveredState from = source;
            Instant now = clock.instant();
            Future<?> started = null;
            synchronized (this) {
                if (from != null && (readAt == null || !now.isBefore(readAt.plus(STATE_READ_EVERY)))
                        && (reading == null || reading.isDone())) {
                    readAt = now;
                    // a scrape waits only when no other read is outstanding: with the state DB down, the
                    // first feed's read times out and every other feed's is queued behind it, so a scrape
                    // of many companies still waits once, not once per company
                    boolean wait = readsOutstanding.getAndIncrement() == 0;
                    reading = reader.submit(() -> {
                        try {
                            Instant[] read = from.read();
                            watermark = read[0];
                            lastSuccess = read[1];
                        } catch (Exception e) {
                            // the health check says the state DB is down; the gauges keep what they last knew
                        } finally {
                            readsOutstanding.decrementAndGet();
                        }
                    });
                    started = wait ? reading : null;
                }
            }
            if (started != null) {
                try {
                    started.get(STATE_READ_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // shown as last known; the read goes on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return this;
        }
    }

    public SyncMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * The gauges of a company's runs read {@code state}; its outcomes and the feeds it reads start at 0.
     *
     * @param readFeeds every feed its runs read (registrations, users, projects), for the feed-failure counter
     */
    public void watch(String company, String feed, java.util.List<String> readFeeds, DeliveredState state) {
        feed(company, feed).source = state;
        for (String outcome : java.util.List.of("succeeded", "failed", "skipped")) {
            counter("ditio.sync.runs", Tags.of("company", company, "feed", feed, "outcome", outcome), RUNS);
        }
        for (String read : readFeeds) {
            counter("ditio.sync.feed.failures", Tags.of("company", company, "feed", read), FEED_FAILURES);
        }
    }

    @Override
    public void runSucceeded(SyncRun run) {
        count(run, "succeeded");
        FeedState state = feed(run.company(), run.feed());
        // the watermark a successful run commits is its start; a feed left out keeps its own, so when
        // that is this gauge's feed the lag keeps growing until it is delivered
        if (!run.failedFeeds().containsKey(run.feed())) {
            state.watermark = run.startedAt();
        }
        state.lastSuccess = run.endedAt();
    }

    @Override
    public void runFailed(SyncRun run, String message) {
        count(run, "failed");
    }

    /** Not a run: counted only, as outcome "skipped" (no duration, nothing read). */
    @Override
    public void runSkipped(String company, String feed) {
        counter("ditio.sync.runs", Tags.of("company", company, "feed", feed, "outcome", "skipped"), RUNS).increment();
    }

    private void count(SyncRun run, String outcome) {
        Tags feed = Tags.of("company", run.company(), "feed", run.feed());
        counter("ditio.sync.runs", feed.and("outcome", outcome), RUNS).increment();
        Instant ended = run.endedAt() == null ? clock.instant() : run.endedAt();
        Timer.builder("ditio.sync.run.duration").description("How long runs took").tags(feed.and("outcome", outcome))
                .register(registry).record(Duration.between(run.startedAt(), ended));
        counter("ditio.sync.records.read", feed, "Time registrations read from Ditio").increment(run.recordsRead());
        counter("ditio.sync.deletions.read", feed, "Deletions (tombstones) read from Ditio").increment(run.deletedRead());
        counter("ditio.sync.retries", feed, "Ditio calls retried after a transient failure").increment(run.retries());
        for (String failed : run.failedFeeds().keySet()) {
            counter("ditio.sync.feed.failures", Tags.of("company", run.company(), "feed", failed), FEED_FAILURES).increment();
        }
        Counter quarantined = counter("ditio.sync.quarantined", feed,
                "Records held in quarantine by committed runs (each run counts all it holds, newly or still)");
        if (run.committed()) {
            run.linesByTarget().forEach((target, lines) -> counter("ditio.sync.lines.delivered", feed.and("target", target),
                    "Payroll lines committed to a target").increment(lines));
            quarantined.increment(run.quarantinedCount());
        }
    }

    private Counter counter(String name, Tags tags, String description) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private FeedState feed(String company, String feed) {
        Tags tags = Tags.of("company", company, "feed", feed);
        return feeds.computeIfAbsent(tags, t -> {
            FeedState state = new FeedState();
            Gauge.builder("ditio.sync.last.success.timestamp", state,
                            s -> s.fresh().lastSuccess == null ? Double.NaN : s.lastSuccess.toEpochMilli() / 1000.0)
                    .description("End of the last run that succeeded, Unix time").baseUnit("seconds").tags(t)
                    .strongReference(true).register(registry);
            Gauge.builder("ditio.sync.watermark.lag", state,
                            s -> s.fresh().watermark == null ? Double.NaN
                                    : Duration.between(s.watermark, clock.instant()).toMillis() / 1000.0)
                    .description("Now minus the feed's watermark").baseUnit("seconds").tags(t)
                    .strongReference(true).register(registry);
            return state;
        });
    }
}
