package no.ditiosync.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import no.ditiosync.app.page.ObservePage;
import no.ditiosync.app.page.PageData;
import no.ditiosync.run.RunStart;
import no.ditiosync.run.RunsInProgress;
import no.ditiosync.state.StateDb;
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

    /** The ids of the page's routes (routes/observe.camel.yaml) start so. */
    static final String PAGE_ROUTES = "observe-page";

    /** Binds the readiness check, the meter registry and the operator's page; once per Camel context. */
    public static Observability install(CamelContext context, Settings settings, RunStore store, Clock clock)
            throws Exception {
        boolean server = Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty("observe.server").orElse("false"));
        if (server) {
            checkPortFree(settings.observeHost(), settings.observePort());
        } else {
            // the page's routes (observe.camel.yaml) listen on the server only the run command starts
            org.apache.camel.model.Model model = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
            java.util.function.Function<org.apache.camel.model.RouteDefinition, Boolean> earlier = model.getRouteFilter();
            model.setRouteFilter(route -> !(route.getRouteId() != null && route.getRouteId().startsWith(PAGE_ROUTES))
                    && (earlier == null || earlier.apply(route)));
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
        RunReports reports = new RunReports(RunReports.folder(settings.reportDir(), settings.stateDbUrl()), settings.reportKeep());
        bindPage(context, settings, reports, clock, server);
        return new Observability(store, new SyncMetrics(meters, clock), reports);
    }

    /**
     * Bean {@code observePage}, which the routes of observe.camel.yaml call (started by the run command
     * alone), and at start-up one line with the page's URL and those of health and metrics.
     */
    @SuppressWarnings("unchecked")
    private static void bindPage(CamelContext context, Settings settings, RunReports reports, Clock clock, boolean server)
            throws Exception {
        List<Settings> companies = context.getRegistry().lookupByNameAndType("settings", List.class);
        StateDb stateDb = context.getRegistry().lookupByNameAndType("stateDb", StateDb.class);
        ObservePage.Credentials credentials = settings.observeUser().isEmpty() ? null
                : new ObservePage.Credentials(settings.observeUser(), settings.observePassword());
        context.getRegistry().bind("observePage", new ObservePage(stateDb.dataSource(),
                companies.stream().map(c -> new PageData.CompanySettings(c.company(), RunStart.FEED, c.cron(), c.timeZone()))
                        .toList(),
                company -> SyncSchedules.nextFiring(context, company), reports::find, clock, RunStart.NODE, credentials));
        if (server) {
            // Camel calls a startup listener more than once (the context, then its routes): one line is enough
            java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
            context.addStartupListener((ctx, alreadyStarted) -> {
                if (told.getAndSet(true)) {
                    return;
                }
                String base = "http://" + urlHost(settings.observeHost()) + ":" + settings.observePort();
                LOG.info("Operator's page at {}/ ({}), health at {}/observe/health, metrics at {}/observe/metrics", base,
                        credentials == null ? "this machine only" : "user " + credentials.user() + " and OBSERVE_PASSWORD",
                        base, base);
            });
        }
    }

    /** The host of the URLs logged: this machine's name for a wildcard address, brackets around IPv6. */
    static String urlHost(String bound) {
        if (bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]")) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return bound;
            }
        }
        return bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
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

    /**
     * Meters and a report for every run that ends; the gauges read the state DB: the oldest watermark
     * of the feeds the company delivers (a feed left out holds the lag back) and its last successful run.
     */
    public void observe(RunsInProgress runs, Settings company) {
        List<String> delivered = company.feeds();
        List<String> read = new java.util.ArrayList<>(delivered);
        read.addAll(List.of(no.ditiosync.ditio.DitioPager.USER_FEED, no.ditiosync.ditio.DitioPager.PROJECT_FEED));
        metrics.watch(company.company(), RunStart.FEED, read, () -> new java.time.Instant[] {
                store.oldestWatermark(company.company(), delivered), store.lastSucceeded(company.company(), RunStart.FEED)});
        runs.setRunObserver(new Both(List.of(metrics, reports)));
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
