package no.ditiosync.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import no.ditiosync.run.SyncRun;
import no.ditiosync.run.RunFinish;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The end of a reconcile the run command starts on RECONCILE_CRON (bean {@code scheduledReconcile}):
 * its drift report written as the reconcile command writes it, logged in one line, and kept as gauges:
 * <pre>
 * ditio_sync_drift_keys{company}          employee × work date × wage type keys where a target's hours differ from Ditio's
 * ditio_sync_drift_hours{company,target}  the hours of those differences, each counted as its size
 * </pre>
 * Both are NaN until the first reconcile of the process.
 */
public final class ScheduledReconcile {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledReconcile.class);

    private final RunFinish steps;
    private final MeterRegistry meters;
    private final Map<String, AtomicReference<Double>> keys = new ConcurrentHashMap<>();
    private final Map<Tags, AtomicReference<Double>> hours = new ConcurrentHashMap<>();

    public ScheduledReconcile(RunFinish steps, MeterRegistry meters) {
        this.steps = steps;
        this.meters = meters;
    }

    /** The gauges of a company, registered at start so a scrape shows the schedule before its first firing. */
    public void watch(String company) {
        gauge(keys, company, "ditio.sync.drift.keys", Tags.of("company", company),
                "Keys (employee, work date, wage type) whose delivered hours differ from Ditio's at the last reconcile");
        for (var t : steps.companyNamed(company).targets()) {
            Tags tags = Tags.of("company", company, "target", t.name());
            gauge(hours, tags, "ditio.sync.drift.hours", tags, "Hours by which a target differs from Ditio at the last reconcile");
        }
    }

    public void report(@Body SyncRun run) throws Exception {
        ReconcileReport report = ReconcileReport.of(run);
        Path file = report.write(steps.companyNamed(run.company()).dropDir().resolve("reconcile"), run,
                steps.directory().namesByEmployeeNumber(run.company(), run.employeeNumbers()));
        keys.get(run.company()).set((double) report.driftingKeys.size());
        Map<String, BigDecimal> byTarget = new java.util.LinkedHashMap<>();
        run.heldBefore().keySet().forEach(t -> byTarget.put(t, BigDecimal.ZERO));
        report.drift.forEach(d -> byTarget.merge(d.target(), d.difference().abs(), BigDecimal::add));
        byTarget.forEach((t, h) -> {
            AtomicReference<Double> g = hours.get(Tags.of("company", run.company(), "target", t));
            if (g != null) {
                g.set(h.doubleValue());
            }
        });
        if (report.drifts()) {
            LOG.warn("Scheduled reconcile {} of company {}: {} of {} keys drift from Ditio (nothing delivered; "
                    + "reconcile --deliver delivers it): {}", run.runId(), run.company(), report.driftingKeys.size(),
                    report.keysChecked, file);
        } else {
            LOG.info("Scheduled reconcile {} of company {}: no drift in {} keys ({})", run.runId(), run.company(),
                    report.keysChecked, file);
        }
    }

    private <K> void gauge(Map<K, AtomicReference<Double>> into, K key, String name, Tags tags, String description) {
        into.computeIfAbsent(key, k -> {
            AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, value, AtomicReference::get).description(description).tags(tags).strongReference(true)
                    .register(meters);
            return value;
        });
    }
}
