package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Camel Main with this project's settings and routes: {@code application.properties} and
 * {@code routes/} from the working directory when present (editable without a rebuild), the
 * packaged copies otherwise. Settings given here override both (the demo uses that).
 */
public final class SyncApplication implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SyncApplication.class);
    private final Main main;
    private volatile boolean stopping;
    /** H2 stopped one of the application's databases after a failed write: why, in FailFastH2Pool's words. */
    private final CompletableFuture<SQLException> databaseStopped = new CompletableFuture<>();

    public SyncApplication(Map<String, String> overrides) {
        this(overrides, true);
    }

    /**
     * The demo's application: its settings and application.properties only. A shell set up for a real
     * deployment (PAYROLL_SFTP_URL, PAYROLL_COMPANIES, PAYROLL_TARGETS) must not send the demo's generated
     * lines to a payroll provider, nor turn it into another company's run.
     */
    static SyncApplication withoutEnvironment(Map<String, String> overrides) {
        return new SyncApplication(overrides, false);
    }

    private SyncApplication(Map<String, String> overrides, boolean readsEnvironment) {
        main = new Main();
        SyncBeans beans = new SyncBeans(databaseStopped::complete);
        main.configure().addConfiguration(beans);
        main.setPropertyPlaceholderLocations(propertiesLocation());
        main.addOverrideProperty("camel.main.additional-sensitive-keywords", SettingKey.sensitiveKeywords());
        if (!Files.isDirectory(Path.of("routes"))) {
            main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:routes/*.camel.yaml");
        }
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeConfigure(org.apache.camel.main.BaseMainSupport starting) {
                if (!readsEnvironment) {
                    var properties = (org.apache.camel.component.properties.PropertiesComponent) starting.getCamelContext()
                            .getPropertiesComponent();
                    properties.setEnvironmentVariableMode(
                            org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
                    properties.addPropertiesFunction(new EnvironmentUnset());
                }
                // before the YAML routes' beans are made from the settings (ditioRetries' bounds)
                beans.settings(starting.getCamelContext());
            }

            @Override
            public void afterConfigure(org.apache.camel.main.BaseMainSupport started) {
                SyncBeans.requireDeliverRoutes(started.getCamelContext());
            }
        });
    }

    /** application.properties' {{env:NAME:default}} read as if NAME were not set: its default. */
    private static final class EnvironmentUnset implements org.apache.camel.spi.PropertiesFunction {
        @Override
        public String getName() {
            return "env";
        }

        @Override
        public String apply(String remainder) {
            int colon = remainder.indexOf(':');
            return colon < 0 ? null : remainder.substring(colon + 1);
        }
    }

    /** The working directory's application.properties, or the packaged one. */
    static String propertiesLocation() {
        return Files.isRegularFile(Path.of("application.properties"))
                ? "file:application.properties" : "classpath:application.properties";
    }

    /** Starts Camel: settings checked, beans bound, routes started. */
    public SyncApplication start() {
        // before Camel reads the file: it would stop on a malformed escape without naming the file or the line
        Settings.refuseSecretsWrittenIn(propertiesLocation());
        try {
            main.start();
        } catch (RuntimeException e) {
            SettingsException settings = find(e, SettingsException.class);
            throw settings != null ? settings : e;
        }
        return this;
    }

    /** One run of the (first) company's feed; throws with the reason when it fails. */
    public SyncRun runOnce() {
        return runOnce(null);
    }

    /** One run of a company's feed; throws with the reason when it fails. */
    public SyncRun runOnce(String company) {
        return send("direct:sync", company, SyncRun.Purpose.SYNC, null, null);
    }

    /** What the next run of a company would deliver, computed as it would be, with nothing committed or delivered. */
    public SyncRun preview(String company) {
        return send("direct:dry-run", company, SyncRun.Purpose.PREVIEW, null, null);
    }

    /**
     * A full pass over the work dates {@code from..to} (null: from the start date, as far as a full pass
     * reads) merged against the ledger: without {@code deliver} nothing is committed; with it, the run
     * delivers what it found, as a sync does, and leaves the watermarks where they are.
     */
    public SyncRun reconcile(String company, java.time.LocalDate from, java.time.LocalDate to, boolean deliver) {
        return deliver ? send("direct:sync", company, SyncRun.Purpose.RECONCILE_DELIVER, from, to)
                : send("direct:dry-run", company, SyncRun.Purpose.RECONCILE, from, to);
    }

    private SyncRun send(String route, String company, SyncRun.Purpose purpose, java.time.LocalDate from,
                         java.time.LocalDate to) {
        ProducerTemplate template = context().createProducerTemplate();
        Exchange done = template.send(route, exchange -> {
            exchange.setVariable("company", company);
            exchange.setVariable(no.ditiosync.run.RunStart.PURPOSE, purpose);
            exchange.setVariable("from", from);
            exchange.setVariable("to", to);
        });
        Exception failure = done.getException();
        if (failure != null) {
            Throwable cause = failure instanceof CamelExecutionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (stopping && context().getShutdownStrategy().isTimeoutOccurred()) {
                // cut short by the stop (camel.main.shutdown-timeout): the reason is the stop, not what it broke
                throw new SyncFailedException("the application was asked to stop and the run did not end within "
                        + "camel.main.shutdown-timeout", cause);
            }
            throw cause instanceof RuntimeException r ? r : new SyncFailedException(cause);
        }
        return done.getMessage().getBody(SyncRun.class);
    }

    /** The runs' finish (bean runFinish): the stores preview and reconcile read after their run. */
    public no.ditiosync.run.RunFinish runFinish() {
        return context().getRegistry().lookupByNameAndType("runFinish", no.ditiosync.run.RunFinish.class);
    }

    /** The company's run in progress, or null. */
    public SyncRun running(String company) {
        return context().getRegistry().lookupByNameAndType("runsInProgress", no.ditiosync.run.RunsInProgress.class)
                .running(company);
    }

    /** The keys of the configured companies, in the order of PAYROLL_COMPANIES. */
    @SuppressWarnings("unchecked")
    public List<String> companies() {
        List<Settings> all = context().getRegistry().lookupByNameAndType("settings", List.class);
        return all.stream().map(Settings::company).toList();
    }

    /** The run command: one Quartz schedule per company. */
    public SyncApplication startSchedules() throws Exception {
        @SuppressWarnings("unchecked")
        List<Settings> all = context().getRegistry().lookupByNameAndType("settings", List.class);
        SyncSchedules.start(context(), all);
        return this;
    }

    /**
     * The run command: starts the schedules and serves until a signal stops the application (exit status
     * 0), or until H2 stopped the state DB or an H2 JDBC target after a failed write, a full disk (1).
     */
    public int serve() throws Exception {
        CompletableFuture<Integer> signalled = new CompletableFuture<>();
        // before start: a SIGTERM while starting (the health endpoint may already answer) still stops Camel
        stopOnSignal(() -> signalled.complete(0));
        try {
            start().startSchedules();
        } catch (Exception e) {
            // a SIGTERM while Camel or the schedules start stops Camel under them: the stop goes on, nothing went wrong
            if (!stopping) {
                throw e;
            }
        }
        return serveUntil(signalled);
    }

    /**
     * Once H2 stopped a database, every later run of this process fails at once, while a new process
     * opens the file again and goes on from what H2 had written (FailFastH2Pool). So the service then
     * stops as on a signal, runs in progress let finish, and returns 1, for its supervisor (systemd's
     * Restart=on-failure, Kubernetes) to start it again; until the disk has room, each new start stops
     * the same way.
     */
    int serveUntil(CompletableFuture<Integer> signalled) {
        CompletableFuture.anyOf(signalled, databaseStopped).join();
        if (signalled.isDone()) {
            return signalled.join();
        }
        stopping = true;
        LOG.error("Stopping with exit status 1, to be started again: {}", databaseStopped.join().getMessage());
        SyncSchedules.standby(context());
        close();
        LOG.info("Stopped");
        return 1;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /**
     * Stops Camel (its graceful shutdown, then the pools), then Camel Main. In that order: where Camel
     * Main's own JVM hook is installed (without {@link #stopOnSignal}), it leaves a listener on Main's
     * stop that waits for Camel to have stopped; with Camel stopped first, it returns at once.
     */
    @Override
    public void close() {
        CamelContext context = context();
        if (context != null) {
            context.stop();
        }
        main.stop();
    }

    /** Whether a signal (SIGTERM, Ctrl+C) asked the application to stop: no new run is started. */
    public boolean stopping() {
        return stopping;
    }

    /**
     * Before start(): on SIGTERM/SIGINT no new run is started (the run command's scheduler stands by;
     * in a cluster, the other nodes take its firings), a run in progress finishes (Camel's graceful
     * shutdown, at most camel.main.shutdown-timeout), Camel stops and the state DB closes after it
     * (SyncBeans), then {@code afterStop} runs. Logged, so an operator sees that the signal arrived
     * and when the application was done.
     */
    public SyncApplication stopOnSignal(Runnable afterStop) {
        // Camel Main's default strategy adds a JVM hook of its own, even with its hangup support disabled
        // (Camel 4.18), which only marks Main as done (it expects Main.run(), which we do not use, to stop
        // Camel) and waits for Camel to stop. JVM hooks run at once: when it had begun before ours stopped
        // Camel, our stop ran its wait and waited for itself, the shutdown timeout + 15 s (seen in a SIGTERM
        // test after close() was reordered). The simple strategy adds no hook: ours is the only one.
        main.setShutdownStrategy(new org.apache.camel.main.SimpleMainShutdownStrategy());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // no run starts from now, also when the signal comes while Camel starts
            stopping = true;
            // a start-up that failed has said its one line and exits: nothing to stop, nothing to log
            boolean running = context() != null && context().isStarted();
            if (running) {
                String letFinish = "for up to " + context().getShutdownStrategy().getTimeUnit().toSeconds(
                        context().getShutdownStrategy().getTimeout()) + " s, camel.main.shutdown-timeout";
                boolean scheduled = Boolean.parseBoolean(context().getPropertiesComponent()
                        .resolveProperty("sync.scheduled").orElse("false"));
                LOG.info(scheduled ? "Stopping: no new scheduled runs; runs in progress are let finish ({})"
                        : "Stopping: the run in progress is let finish ({}); no other company is started", letFinish);
                SyncSchedules.standby(context());
            }
            close();
            if (running) {
                LOG.info("Stopped");
            }
            afterStop.run();
        }, "stop-on-signal"));
        return this;
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
