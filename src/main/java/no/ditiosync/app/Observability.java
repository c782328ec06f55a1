package no.ditiosync.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import no.ditiosync.run.SyncSteps;
import no.ditiosync.run.RunObserver;
import no.ditiosync.state.RunStore;
import no.ditiosync.run.SyncRun;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;

/**
 * What the run service shows about itself: the state DB readiness check (bean {@code stateDbHealth}),
 * the meter registry that {@code /observe/metrics} scrapes (bean {@code metricsRegistry}, which
 * camel-micrometer-prometheus picks up), {@link SyncMetrics} and {@link RunReports}. The HTTP
 * server itself is Camel's ({@code camel.management.*} in application.properties), started only
 * by the run command; meters and reports work the same without it.
 */
public final class Observability {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    private final RunStore store;
    private final SyncMetrics metrics;
    private final RunReports reports;

    private Observability(RunStore store, SyncMetrics metrics, RunReports reports) {
        this.store = store;
        this.metrics = metrics;
        this.reports = reports;
    }

    /** Binds the readiness check and the meter registry; once per Camel context. */
    public static Observability install(CamelContext context, Settings settings, RunStore store, Clock clock)
            throws Exception {
        if (Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty("observe.server").orElse("false"))) {
            checkPortFree(settings.observeHost(), settings.observePort());
        }
        StateDbHealthCheck health = new StateDbHealthCheck(store);
        context.getRegistry().bind("stateDbHealth", health);
        context.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() {
                health.close();
            }
        }, true);
        MeterRegistry meters = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        return new Observability(store, new SyncMetrics(meters, clock),
                new RunReports(RunReports.folder(settings.reportDir(), settings.stateDbUrl()), settings.reportKeep()));
    }

    /**
     * Camel only logs a warning when its server cannot bind, and the service would run without its
     * health endpoint: a port in use or an address not of this machine stops start-up instead.
     */
    private static void checkPortFree(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new SettingsException("Setting OBSERVE_PORT (observe.port): cannot listen on " + host + ":" + port + " ("
                    + e.getMessage() + "); set OBSERVE_PORT or OBSERVE_HOST (observe.host)");
        }
    }

    /** Meters and a report for every run of this feed sync; the gauges start from the state DB. */
    public void observe(SyncSteps feedSync, String company) throws Exception {
        metrics.seed(company, SyncSteps.FEED, store.watermark(company, SyncSteps.FEED),
                store.lastSucceeded(company, SyncSteps.FEED));
        feedSync.setRunObserver(new Both(List.of(metrics, reports)));
    }

    /** Each observer told in turn; one that fails is logged and never fails the run or the others. */
    private record Both(List<RunObserver> observers) implements RunObserver {
        @Override
        public void runSucceeded(SyncRun run) {
            tellEach("Run " + run.runId(), o -> o.runSucceeded(run));
        }

        @Override
        public void runSkipped(String company, String feed) {
            tellEach("Skipped run of company " + company, o -> o.runSkipped(company, feed));
        }

        @Override
        public void runFailed(SyncRun run, String message) {
            tellEach("Run " + run.runId(), o -> o.runFailed(run, message));
        }

        private void tellEach(String what, java.util.function.Consumer<RunObserver> tell) {
            for (RunObserver o : observers) {
                try {
                    tell.accept(o);
                } catch (RuntimeException e) {
                    LOG.warn("{}: {} failed: {}", what, o.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }
}
